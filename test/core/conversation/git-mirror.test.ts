import { existsSync } from 'node:fs';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { GitMirror, createGitRunner } from '../../../src/core/conversation/index.js';

const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });

/** A local upstream repo with a default branch `trunk`, the sandbox files and a README. */
async function upstream(root: string): Promise<string> {
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

t.test('mirror, full clone with origin at the real URL, refresh picks up new commits', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream(root);
  const mirror = new GitMirror({ repoUrl, repoStateDir: join(root, 'state') });
  await mirror.refresh();
  t.ok(existsSync(join(root, 'state', 'git-mirror', 'HEAD')), 'bare mirror');
  t.equal(await mirror.defaultBranch(), 'trunk');

  const ws = join(root, 'state', 'conversations', 'abcd0123', 'workspace');
  await mirror.cloneWorkspace(ws);
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
  await mirror.cloneWorkspace(ws2);
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
  await mirror.cloneWorkspace(ws);
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
  await mirror.cloneWorkspace(join(root, 'ws'));
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
  await t.rejects(good.cloneWorkspace(ws), { code: 'CONVERSATION_CLONE_FAILED' });
  t.notOk(existsSync(ws), 'partial workspace removed');

  const noGit = createGitRunner({ command: join(root, 'no-git-here') });
  await t.rejects(noGit(['--version']), { code: 'CONVERSATION_GIT_FAILED', hint: /Install git/ });
});
