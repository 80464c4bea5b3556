import { randomBytes } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t from 'tap';
import { validateConfig } from '../../../src/core/config/index.js';
import { conversationLayout, GitMirror } from '../../../src/core/conversation/index.js';
import { SandboxTaskRunner } from '../../../src/core/gateway/index.js';
import type { RunEvent } from '../../../src/core/run/index.js';
import { prefixFilter } from '../../../src/sandbox/runtime/index.js';
import { Sandbox } from '../../../src/sandbox/sandbox.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from '../../sandbox/task/test-resources.js';
import { upstreamRepo } from './fakes.js';

const runtime = testRuntime();

void t.test('a stop during the image build ends the build at once: the task ends stopped, nothing of the build is left', async (t) => {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'gwabort');
  const marker = `gwabort-${randomBytes(4).toString('hex')}`;
  const repoUrl = await upstreamRepo(dir, { '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\nRUN echo "${marker}-$(hostname)" && sleep 600\n` });
  const { config, problems } = validateConfig({
    repos: { x: { repo_url: repoUrl, network: { sandbox_enabled: false }, slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U1' }] } } },
  });
  t.same(problems, []);
  const repo = config!.repos.x!;
  const stateDir = join(dir, 'state');
  const mirror = new GitMirror({ repoUrl, repoStateDir: stateDir });
  await mirror.refresh();
  const tmpDir = join(dir, 'tmp');
  await mkdir(tmpDir);
  const sandbox = new Sandbox({ runtime, resourcePrefix: prefix, stateDir, buildNetwork: 'none', tmpDir });
  const runner = new SandboxTaskRunner({ repoId: 'x', repo, sandbox, mirror, network: { runtime, resourcePrefix: prefix, caDir: join(dir, 'ca'), tmpDir, packageRoot: process.cwd() } });

  const controller = new AbortController();
  const events: RunEvent[] = [];
  let stepRunning!: () => void;
  const running = new Promise<void>((resolve) => { stepRunning = resolve; });
  const ran = runner.run({
    repoId: 'x',
    conversationId: 'abcd1234',
    layout: conversationLayout(stateDir, 'abcd1234'),
    prompt: 'hi',
    model: 'opus',
    signal: controller.signal,
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'build-output' && event.line.startsWith(`${marker}-`)) stepRunning();
    },
  });
  await running;
  controller.abort();
  const result = await ran;
  t.equal(result.stopped, true, 'the task ends stopped');
  t.notOk(events.some((e) => e.type === 'phase' && e.phase === 'task'), 'the task never started');
  t.equal((await execa('pgrep', ['-af', marker], { reject: false })).stdout, '', 'no RUN step process is left');
  t.same((await readdir(tmpDir)).filter((name) => name.startsWith('airut-build-')), [], 'the build context is removed');
  const images = await runtime.run(['images', '--filter', prefixFilter(prefix), '--format', '{{.Repository}}']);
  t.equal(images.stdout.trim(), '', 'no image was tagged');
  await runner.close();
  await assertNothingLeft();
});

void t.test('a schedule\'s trigger command runs through the same pipeline: the conversation\'s workspace, the repo\'s secrets, its stdout in the result', async (t) => {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'gwcmd');
  const repoUrl = await upstreamRepo(dir, { '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n` });
  const { config, problems } = validateConfig({
    repos: { x: { repo_url: repoUrl, secrets: { GREETING: 'hi from the repo' }, network: { sandbox_enabled: false }, slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U1' }] } } },
  });
  t.same(problems, []);
  const repo = config!.repos.x!;
  const stateDir = join(dir, 'state');
  const mirror = new GitMirror({ repoUrl, repoStateDir: stateDir });
  await mirror.refresh();
  const tmpDir = join(dir, 'tmp');
  await mkdir(tmpDir);
  const layout = conversationLayout(stateDir, 'abcd1234');
  for (const path of [layout.workspace, layout.inbox, layout.outbox, layout.storage]) await mkdir(path, { recursive: true });
  const sandbox = new Sandbox({ runtime, resourcePrefix: prefix, stateDir, buildNetwork: 'none', tmpDir });
  const runner = new SandboxTaskRunner({ repoId: 'x', repo, sandbox, mirror, network: { runtime, resourcePrefix: prefix, caDir: join(dir, 'ca'), tmpDir, packageRoot: process.cwd() } });
  const events: RunEvent[] = [];
  const result = await runner.runCommand({
    repoId: 'x',
    conversationId: 'abcd1234',
    layout,
    argv: ['sh', '-c', 'echo "$GREETING in $PWD"; echo warned >&2; exit 4'],
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
  });
  t.equal(result.exitCode, 4);
  t.equal(result.stdout, 'hi from the repo in /workspace\n');
  t.ok(events.some((e) => e.type === 'stderr' && e.line === 'warned'), 'stderr lines are events');
  t.same(events.filter((e) => e.type === 'phase').map((e) => (e.type === 'phase' ? `${e.phase}:${e.state}` : '')), ['image:started', 'image:finished', 'proxy:skipped', 'task:started', 'task:finished']);
  await runner.close();
  await assertNothingLeft();
});
