import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { ClaudeEvent } from '../../../src/sandbox/claude/stream/index.js';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { AgentTask, type AgentTaskOptions, type NetworkProvider } from '../../../src/sandbox/task/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from './test-resources.js';

const FAKE_CLAUDE = fileURLToPath(new URL('../../harness/fake-claude/claude', import.meta.url));
const runtime = testRuntime();
const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'agent');
const imageTag = await new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' })
  .ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {});

let contexts = 0;
async function task(scenario: string, options: Partial<AgentTaskOptions> = {}): Promise<{ task: AgentTask; ctx: string }> {
  const id = `ctx${++contexts}`;
  const ctx = join(dir, id);
  await mkdir(ctx);
  const created = new AgentTask({
    runtime,
    prefix,
    executionContextId: id,
    executionContextDir: ctx,
    imageTag,
    claudeBinary: FAKE_CLAUDE,
    network: 'none',
    env: { FAKE_CLAUDE_SCENARIO: scenario },
    ...options,
  });
  return { task: created, ctx };
}

const record = (ctx: string, name: string) => readFile(join(ctx, 'claude', 'fake', name), 'utf8');

void t.test('success with several result events', async (t) => {
  const { task: agent, ctx } = await task('success', { env: { FAKE_CLAUDE_SCENARIO: 'success', CLAUDE_CODE_DISABLE_BACKGROUND_TASKS: '0', MY_VAR: 'a b=c' } });
  const seen: string[] = [];
  const stderr: string[] = [];
  const result = await agent.execute('Fix the failing tests\nplease', {
    model: 'sonnet',
    effort: 'high',
    onEvent: (e) => seen.push(e.type),
    onStderrLine: (l) => stderr.push(l),
  });
  t.equal(result.outcome, 'success');
  t.equal(result.sessionId, '11111111-2222-3333-4444-555555555555');
  t.equal(result.exitCode, 0);
  t.equal(result.durationMs, 150, 'durations of both results add up');
  t.equal(result.numTurns, 3);
  t.equal(result.costUsd, 0.03, 'cost is the last (cumulative) one');
  t.equal(result.timedOut, false);
  t.equal(result.errorSummary, undefined);
  t.ok(result.responseText.length > 0, 'a response text is chosen');
  t.same(seen, ['system', 'assistant', 'result', 'assistant', 'result']);
  t.same(stderr, ['fake claude: done\n']);

  t.equal(await record(ctx, 'stdin'), 'Fix the failing tests\nplease', 'the prompt arrives on stdin');
  t.same((await record(ctx, 'argv')).trimEnd().split('\n'),
    ['-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions', '--model', 'sonnet', '--effort', 'high'],
    'Claude gets its flags once and no path of its own');
  const env = (await record(ctx, 'env')).split('\n');
  t.ok(env.includes('CLAUDE_CODE_DISABLE_BACKGROUND_TASKS=1'), 'forced variable wins over the caller');
  t.ok(env.includes('IS_SANDBOX=1'));
  t.ok(env.includes('MY_VAR=a b=c'), 'caller variables arrive intact');

  const log = await readFile(agent.eventLogPath, 'utf8');
  const lines = log.split('\n');
  t.equal(lines.length, 6, 'five events, each on its own line');
  t.equal(lines.at(-1), '');
  t.same(lines.slice(0, 5).map((l) => (JSON.parse(l) as { type: string }).type), seen);

  const again = await agent.execute('continue', { sessionId: result.sessionId });
  t.equal(again.outcome, 'success');
  t.match(await record(ctx, 'argv'), /--resume\n11111111-2222-3333-4444-555555555555\n/);
  const both = (await readFile(agent.eventLogPath, 'utf8')).split('\n');
  t.equal(both[5], '', 'a blank line separates the replies');
  t.equal(both.length, 12);
  await assertNothingLeft();
});

void t.test('timeout keeps the partial output and removes the container', async (t) => {
  const { task: agent } = await task('timeout', { timeoutSeconds: 10 });
  const result = await agent.execute('hang');
  t.equal(result.outcome, 'timeout');
  t.equal(result.timedOut, true);
  t.ok(result.events.some((e) => e.type === 'assistant'), 'events before the timeout are kept');
  await assertNothingLeft();
});

void t.test('Prompt is too long', async (t) => {
  const { task: agent } = await task('prompt-too-long');
  const result = await agent.execute('x');
  t.equal(result.outcome, 'prompt_too_long');
  t.equal(result.exitCode, 1);
  await assertNothingLeft();
});

void t.test('API Error: 400 means a corrupted session', async (t) => {
  const { task: agent } = await task('api-error');
  const result = await agent.execute('x');
  t.equal(result.outcome, 'session_corrupted');
  t.match(result.stderrTail, /API Error: 400/);
  await assertNothingLeft();
});

void t.test('a crash with exit 1 is container_failed, with stderr in the summary', async (t) => {
  const { task: agent } = await task('crash');
  const result = await agent.execute('x');
  t.equal(result.outcome, 'container_failed');
  t.equal(result.exitCode, 1);
  t.match(result.stderrTail, /segmentation fault/);
  t.type(result.errorSummary, 'string');
  await assertNothingLeft();
});

void t.test('a 10 MB single line arrives as one event', async (t) => {
  const { task: agent } = await task('big-line');
  const result = await agent.execute('x');
  t.equal(result.outcome, 'success');
  const big = result.events.find((e) => e.type === 'assistant');
  const text = big?.type === 'assistant' && big.content[0]?.type === 'text' ? big.content[0].text : '';
  t.equal(text.length, 10_000_000);
  t.match(text, /^x+$/);
  await assertNothingLeft();
});

void t.test('unicode split across reads is reassembled', async (t) => {
  const { task: agent } = await task('unicode');
  const result = await agent.execute('x');
  const event = result.events.find((e) => e.type === 'assistant');
  t.equal(event?.type === 'assistant' && event.content[0]?.type === 'text' ? event.content[0].text : '', 'Grüße €');
  await assertNothingLeft();
});

void t.test('stop() mid-run ends the run and the container', async (t) => {
  const { task: agent } = await task('wait');
  t.equal(agent.stop(), false, 'nothing to stop before a run');
  let stopped: boolean | undefined;
  const result = await agent.execute('x', {
    onEvent: (e: ClaudeEvent) => {
      if (e.type === 'system') stopped = agent.stop();
    },
  });
  t.equal(stopped, true);
  t.equal(result.stopped, true);
  t.equal(result.outcome, 'container_failed');
  t.equal(agent.stop(), false, 'nothing to stop after the run');
  await assertNothingLeft();
});

void t.test('stop() of a process ignoring SIGTERM removes the container after the grace period', async (t) => {
  const { task: agent } = await task('ignore-term', { stopGraceMs: 1000 });
  const result = await agent.execute('x', { onEvent: (e) => { if (e.type === 'system') agent.stop(); } });
  t.equal(result.stopped, true);
  t.equal(result.outcome, 'container_failed');
  await assertNothingLeft();
});

void t.test('a network provider is attached and released on every path', async (t) => {
  const calls: string[] = [];
  const provider: NetworkProvider = {
    attach: (id, contextDir) => {
      calls.push(`attach ${id} ${contextDir === join(dir, id)}`);
      return Promise.resolve({
        containerArgs: ['--network', 'none'],
        env: { FROM_PROVIDER: 'yes' },
        release: () => {
          calls.push('release');
          return Promise.resolve();
        },
      });
    },
  };
  const ok = await task('success', { network: provider });
  t.equal((await ok.task.execute('x')).outcome, 'success');
  t.match(await record(ok.ctx, 'env'), /^FROM_PROVIDER=yes$/m);
  t.same(calls, [`attach ${ok.task.executionContextId} true`, 'release']);

  calls.length = 0;
  const crash = await task('crash', { network: provider });
  await crash.task.execute('x');
  t.same(calls.at(-1), 'release', 'released after a failed run');

  calls.length = 0;
  const stop = await task('wait', { network: provider });
  await stop.task.execute('x', { onEvent: () => stop.task.stop() });
  t.same(calls.at(-1), 'release', 'released after a stop');

  const broken = await task('success', { network: { attach: () => Promise.reject(new Error('no subnet left')) } });
  await t.rejects(broken.task.execute('x'), { code: 'TASK_NETWORK_FAILED', message: /no subnet left/ });
  await assertNothingLeft();
});

void t.test('invalid limits and reserved mounts are typed errors', (t) => {
  const base = { runtime, prefix, executionContextId: 'bad', executionContextDir: dir, imageTag, claudeBinary: FAKE_CLAUDE };
  t.throws(() => new AgentTask({ ...base, timeoutSeconds: 5 }), { code: 'TASK_LIMIT_INVALID', message: /timeout 5/ });
  t.throws(() => new AgentTask({ ...base, resourceLimits: { memory: '2 GB' } }), { code: 'TASK_LIMIT_INVALID', message: /memory "2 GB"/ });
  t.throws(() => new AgentTask({ ...base, resourceLimits: { memory: '0g' } }), { code: 'TASK_LIMIT_INVALID' });
  t.throws(() => new AgentTask({ ...base, resourceLimits: { cpus: 0 } }), { code: 'TASK_LIMIT_INVALID', message: /cpus 0/ });
  t.throws(() => new AgentTask({ ...base, resourceLimits: { pidsLimit: 1.5 } }), { code: 'TASK_LIMIT_INVALID' });
  t.throws(() => new AgentTask({ ...base, mounts: [{ hostPath: dir, containerPath: '/root/.claude' }] }), { code: 'TASK_MOUNT_INVALID' });
  t.end();
});
