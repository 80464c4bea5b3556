import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { ConversationStore, GitMirror, createGitRunner, type GitRunner } from '../../../src/core/conversation/index.js';
import { repoTemplate } from '../../harness/repo-template.js';

/** Where these tests keep a workspace's completion marker: beside it, as the conversation layout does. */
const markerOf = (workspace: string): string => join(dirname(workspace), 'workspace.complete');

const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });

/** A local upstream repo with a default branch `trunk`, the sandbox files and a README. */
async function makeUpstream(root: string): Promise<string> {
  const dir = join(root, 'upstream');
  await mkdir(join(dir, '.airut', 'container', 'sub'), { recursive: true });
  await git(root, 'init', '--quiet', '--initial-branch=trunk', dir);
  await writeFile(join(dir, 'README.md'), 'v1\n');
  await writeFile(join(dir, '.airut', 'network-allowlist.yaml'), 'domains: [api.github.com]\n');
  await writeFile(join(dir, '.airut', 'container', 'Dockerfile'), 'FROM scratch\n');
  await writeFile(join(dir, '.airut', 'container', 'setup.sh'), 'echo hi\n');
  await writeFile(join(dir, '.airut', 'container', 'sub', 'nested.txt'), 'no\n');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '--quiet', '-m', 'first');
  return dir;
}

/** The upstream, made once and copied into `root` for each test. */
const template = repoTemplate(t, makeUpstream);
const upstream = (root: string): Promise<string> => template.copyTo(join(root, 'upstream'));

t.test('mirror, full clone with origin at the real URL, refresh picks up new commits', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  const mirror = new GitMirror({ repoUrl, repoStateDir: join(root, 'state') });
  await mirror.refresh();
  t.ok(existsSync(join(root, 'state', 'git-mirror', 'HEAD')), 'bare mirror');
  t.equal(await mirror.defaultBranch(), 'trunk');

  const ws = join(root, 'state', 'conversations', 'abcd0123', 'workspace');
  await mirror.cloneWorkspace(ws, markerOf(ws));
  t.equal(await readFile(join(ws, 'README.md'), 'utf8'), 'v1\n');
  t.notOk(existsSync(join(ws, '.git', 'objects', 'info', 'alternates')), 'no shared objects');
  t.equal((await git(ws, 'remote', 'get-url', 'origin')).stdout, repoUrl);
  t.equal((await git(ws, 'rev-parse', '--abbrev-ref', 'HEAD')).stdout, 'trunk');
  await rm(join(root, 'state', 'git-mirror'), { recursive: true });
  t.equal((await git(ws, 'log', '--format=%s')).stdout, 'first', 'works with the mirror gone');

  await writeFile(join(repoUrl, 'README.md'), 'v2\n');
  await git(repoUrl, 'commit', '--quiet', '-am', 'second');
  await mirror.refresh();
  const ws2 = join(root, 'ws2');
  await mirror.cloneWorkspace(ws2, markerOf(ws2));
  t.equal(await readFile(join(ws2, 'README.md'), 'utf8'), 'v2\n', 'refresh fetched the new commit');
  await writeFile(join(repoUrl, 'README.md'), 'v3\n');
  await git(repoUrl, 'commit', '--quiet', '-am', 'third');
  await mirror.refresh();
  t.equal((await git(join(root, 'state', 'git-mirror'), 'log', '--format=%s', '-1', 'trunk')).stdout, 'third');
});

t.test('sandbox files come from the mirror, never from a workspace', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  const mirror = new GitMirror({ repoUrl, repoStateDir: join(root, 'state') });
  await mirror.refresh();
  const ws = join(root, 'ws');
  await mirror.cloneWorkspace(ws, markerOf(ws));
  await writeFile(join(ws, '.airut', 'network-allowlist.yaml'), 'domains: ["*"]\n');
  await git(ws, 'commit', '--quiet', '-am', 'widen');
  await git(ws, 'push', '--quiet', '--', join(root, 'state', 'git-mirror'), 'HEAD:refs/heads/agent').catch(() => undefined);

  t.equal((await mirror.readFile('.airut/network-allowlist.yaml'))?.toString(), 'domains: [api.github.com]\n');
  t.equal(await mirror.readFile('.airut/missing.yaml'), undefined);
  const files = await mirror.readDirectory('.airut/container');
  t.same(files?.map((f) => [f.name, f.content.toString()]), [['Dockerfile', 'FROM scratch\n'], ['setup.sh', 'echo hi\n']], 'flat files only');
  t.equal(await mirror.readDirectory('.airut/nope'), undefined);
});

t.test('a configured branch is where workspaces start', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  await git(repoUrl, 'checkout', '--quiet', '-b', 'dev');
  await writeFile(join(repoUrl, 'README.md'), 'dev\n');
  await git(repoUrl, 'commit', '--quiet', '-am', 'dev');
  const mirror = new GitMirror({ repoUrl, repoStateDir: join(root, 'state'), branch: 'dev' });
  await mirror.refresh();
  await mirror.cloneWorkspace(join(root, 'ws'), markerOf(join(root, 'ws')));
  t.equal(await readFile(join(root, 'ws', 'README.md'), 'utf8'), 'dev\n');
});

t.test('failures: unreachable remote, failed clone leaves nothing, missing git', async (t) => {
  const root = t.testdir();
  const mirror = new GitMirror({ repoUrl: join(root, 'nowhere'), repoStateDir: join(root, 'state') });
  await t.rejects(mirror.refresh(), { code: 'CONVERSATION_MIRROR_FAILED', message: /nowhere/ });
  t.notOk(existsSync(join(root, 'state', 'git-mirror')), 'no half mirror');

  const repoUrl = await upstream(root);
  const good = new GitMirror({ repoUrl, repoStateDir: join(root, 'state2'), branch: 'no-such-branch' });
  await good.refresh();
  const ws = join(root, 'conv', 'workspace');
  await t.rejects(good.cloneWorkspace(ws, markerOf(ws)), { code: 'CONVERSATION_CLONE_FAILED' });
  t.notOk(existsSync(ws), 'partial workspace removed');

  const noGit = createGitRunner({ command: join(root, 'no-git-here') });
  await t.rejects(noGit(['--version']), { code: 'CONVERSATION_GIT_FAILED', hint: /Install git/ });
});

t.test('a workspace appears atomically: a crash at any git step leaves no workspace, and the next clone makes a complete one', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  const stateDir = join(root, 'state');
  const real = createGitRunner();
  await new GitMirror({ repoUrl, repoStateDir: stateDir }).refresh();
  const store = new ConversationStore(stateDir);
  // Each git step of a workspace clone, by the subcommand that identifies it.
  for (const step of ['clone', 'set-url', 'checkout', 'branch']) {
    const { conversationId: id } = await store.create();
    const layout = store.layout(id);
    let reached!: () => void;
    const atStep = new Promise<void>((resolve) => { reached = resolve; });
    // The service dies at this step: the git call never returns and nothing after it runs.
    const dying: GitRunner = async (args, options) => {
      if (args.includes(step) && !args.includes('--mirror') && !args.includes('symbolic-ref')) {
        if (step !== 'clone') {
          reached();
          return new Promise(() => undefined);
        }
        // A clone killed half-way: its directory exists with a bare .git and nothing checked out.
        await mkdir(join(args.at(-1) ?? '', '.git'), { recursive: true });
        reached();
        return new Promise(() => undefined);
      }
      return real(args, options);
    };
    void new GitMirror({ repoUrl, repoStateDir: stateDir, git: dying }).cloneWorkspace(layout.workspace, layout.workspaceMarker);
    await atStep;
    t.notOk(existsSync(layout.workspace), `${step}: no workspace while it is being made`);
    t.notOk(await store.canResume(id), `${step}: not resumable`);
    t.match(await readdir(layout.dir), [/^\.workspace\.[0-9a-f]{8}\.tmp$/], `${step}: only the temporary clone is there`);

    // After the restart: leftovers are swept, and the workspace is made completely.
    t.equal(await store.removeWorkspaceLeftovers(), 1, `${step}: leftover removed at start`);
    const restarted = new GitMirror({ repoUrl, repoStateDir: stateDir });
    await restarted.cloneWorkspace(layout.workspace, layout.workspaceMarker);
    t.ok(await store.canResume(id), `${step}: resumable once complete`);
    t.equal((await git(layout.workspace, 'remote', 'get-url', 'origin')).stdout, repoUrl, `${step}: origin is the real remote`);
    t.equal((await git(layout.workspace, 'log', '--format=%s')).stdout, 'first', `${step}: the commit is there`);
    t.equal(await readFile(join(layout.workspace, 'README.md'), 'utf8'), 'v1\n', `${step}: checked out`);
    t.equal((await git(layout.workspace, 'status', '--porcelain')).stdout, '', `${step}: clean work tree`);
    t.equal((await git(layout.workspace, 'rev-parse', '--abbrev-ref', '@{upstream}')).stdout, 'origin/trunk', `${step}: tracks the remote branch`);
  }
});

t.test('a workspace without its completion marker is not resumed and is made again', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  const stateDir = join(root, 'state');
  const mirror = new GitMirror({ repoUrl, repoStateDir: stateDir });
  await mirror.refresh();
  const store = new ConversationStore(stateDir);
  const { conversationId: id } = await store.create();
  const layout = store.layout(id);
  // What an older, non-atomic clone could leave: a .git with no commits, origin still the mirror.
  await mkdir(join(layout.workspace, '.git'), { recursive: true });
  await writeFile(join(layout.workspace, 'stray.txt'), 'half');
  t.notOk(await store.canResume(id), 'the directory alone does not make it resumable');
  await mirror.cloneWorkspace(layout.workspace, layout.workspaceMarker);
  t.ok(await store.canResume(id));
  t.notOk(existsSync(join(layout.workspace, 'stray.txt')), 'the incomplete one was replaced');
  await rm(layout.workspaceMarker);
  t.notOk(await store.canResume(id), 'the marker is what counts');
});

t.test('an unmarked workspace is adopted only when whole: a commit checked out and origin not the mirror', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  const stateDir = join(root, 'state');
  const mirror = new GitMirror({ repoUrl, repoStateDir: stateDir });
  await mirror.refresh();
  const store = new ConversationStore(stateDir);
  const made = async () => {
    const layout = store.layout((await store.create()).conversationId);
    await mirror.cloneWorkspace(layout.workspace, layout.workspaceMarker);
    await rm(layout.workspaceMarker);
    return layout;
  };

  const whole = await made();
  await writeFile(join(whole.workspace, 'work.txt'), 'uncommitted work');
  t.ok(await mirror.adoptWorkspace(whole.workspace, whole.workspaceMarker), 'a whole workspace is adopted');
  t.ok(existsSync(whole.workspaceMarker), 'and marked');
  t.ok(existsSync(join(whole.workspace, 'work.txt')), 'nothing in it is touched');

  const pointsAtMirror = await made();
  await git(pointsAtMirror.workspace, 'remote', 'set-url', 'origin', join(stateDir, 'git-mirror'));
  t.notOk(await mirror.adoptWorkspace(pointsAtMirror.workspace, pointsAtMirror.workspaceMarker), 'origin still the mirror: the remote was never set');
  t.notOk(existsSync(pointsAtMirror.workspaceMarker));

  const empty = store.layout((await store.create()).conversationId);
  await git(root, 'init', '--quiet', empty.workspace);
  t.notOk(await mirror.adoptWorkspace(empty.workspace, empty.workspaceMarker), 'a clone without a commit');
  t.notOk(await mirror.adoptWorkspace(join(root, 'missing'), join(root, 'missing.complete')), 'no workspace at all');
});
