import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { AgentTask, CommandTask, type NetworkProvider } from '../../../src/sandbox/task/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from './test-resources.js';

// kill(): the second interrupt of a user who does not want to wait. Each run
// here ignores SIGTERM and has a stop grace period far longer than the test
// timeout, so a run only ends in time when kill() removes it without one.
const FAKE_CLAUDE = fileURLToPath(new URL('../../harness/fake-claude/claude', import.meta.url));
const NEVER_MS = 3_600_000;
const runtime = testRuntime();
const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'kill');
const agentImage = await new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' })
  .ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {});
const commandImage = await new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' })
  .ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {}, { passthrough: true });

async function contextDir(id: string): Promise<string> {
  const ctx = join(dir, id);
  await mkdir(ctx);
  return ctx;
}

void t.test('an agent run ignoring SIGTERM: stop() waits for the grace period, kill() ends it at once and releases the network', async (t) => {
  const calls: string[] = [];
  const provider: NetworkProvider = {
    attach: () => Promise.resolve({
      containerArgs: ['--network', 'none'],
      env: {},
      release: () => { calls.push('release'); return Promise.resolve(); },
    }),
  };
  const agent = new AgentTask({
    runtime, prefix, executionContextId: 'agent', executionContextDir: await contextDir('agent'), imageTag: agentImage,
    claudeBinary: FAKE_CLAUDE, network: provider, env: { FAKE_CLAUDE_SCENARIO: 'ignore-term' }, stopGraceMs: NEVER_MS,
  });
  t.equal(agent.kill(), false, 'nothing to kill before a run');
  const answers: boolean[] = [];
  const result = await agent.execute('x', {
    onEvent: (event) => {
      if (event.type !== 'system') return;
      answers.push(agent.stop());
      // The first interrupt asked politely and was ignored; the second one does not wait.
      answers.push(agent.kill());
    },
  });
  t.same(answers, [true, true]);
  t.equal(result.stopped, true);
  t.not(result.exitCode, 0, 'not a normal exit');
  t.equal(result.outcome, 'container_failed');
  t.same(calls, ['release'], 'the network was released');
  t.equal(agent.kill(), false, 'nothing to kill after the run');
  await assertNothingLeft();
});

void t.test('a command ignoring SIGTERM ends on kill() alone', async (t) => {
  const task = new CommandTask({
    runtime, prefix, executionContextId: 'command', executionContextDir: await contextDir('command'), imageTag: commandImage,
    network: 'none', stopGraceMs: NEVER_MS,
  });
  const output: string[] = [];
  const result = await task.execute(['sh', '-c', 'trap "" TERM; echo up; while :; do sleep 1; done'], {
    onStdout: (line) => {
      output.push(line);
      task.kill();
    },
  });
  t.same(output, ['up\n']);
  t.equal(result.stopped, true);
  t.equal(result.timedOut, false);
  await assertNothingLeft();
});

void t.test('kill() while the network is still being attached: no container is started', async (t) => {
  let attached: () => void = () => undefined;
  const calls: string[] = [];
  const provider: NetworkProvider = {
    attach: () => new Promise((resolve) => {
      calls.push('attach');
      attached = () => resolve({ containerArgs: ['--network', 'none'], env: {}, release: () => { calls.push('release'); return Promise.resolve(); } });
    }),
  };
  const task = new CommandTask({
    runtime, prefix, executionContextId: 'early', executionContextDir: await contextDir('early'), imageTag: commandImage,
    network: provider, stopGraceMs: NEVER_MS,
  });
  const running = task.execute(['sh', '-c', 'trap "" TERM; while :; do sleep 1; done']);
  while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
  t.equal(task.kill(), true, 'the run is in flight');
  attached();
  const result = await running;
  t.equal(result.stopped, true);
  t.same(calls, ['attach', 'release']);
  await assertNothingLeft();
});
