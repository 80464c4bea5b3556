import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runTask, type RunEvent, type TaskContext, type TaskSpec, type TaskWork } from '../../../src/core/pipeline/index.js';
import { Sandbox } from '../../../src/sandbox/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from '../../sandbox/task/test-resources.js';

// A caller the pipeline has never heard of (as the scheduler will be): it
// only builds a TaskSpec. Nothing here reaches into the pipeline's steps.
const FAKE_CLAUDE = fileURLToPath(new URL('../../harness/fake-claude/claude', import.meta.url));
const runtime = testRuntime();
const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'pipeline');
const sandbox = new Sandbox({ runtime, resourcePrefix: prefix, stateDir: join(dir, 'state'), buildNetwork: 'none', tmpDir: dir });
const DOCKERFILE = `FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`;

let contexts = 0;
/** A context in a fresh directory, counting its releases. */
function trackedContext(): { make: () => Promise<TaskContext>; made: () => number; released: () => number; dir: string } {
  const ctx = join(dir, `ctx${++contexts}`);
  let made = 0;
  let released = 0;
  return {
    dir: ctx,
    made: () => made,
    released: () => released,
    make: async () => {
      made++;
      await mkdir(join(ctx, 'work'), { recursive: true });
      return { dir: ctx, mounts: [{ hostPath: join(ctx, 'work'), containerPath: '/workspace' }], release: () => { released++; return Promise.resolve(); } };
    },
  };
}

function spec<W extends TaskWork>(work: W, context: () => Promise<TaskContext>, extra: Partial<TaskSpec<W>> = {}): TaskSpec<W> {
  return {
    sandbox,
    work,
    imageLabel: 'test image',
    image: () => Promise.resolve({ dockerfile: DOCKERFILE, contextFiles: {} }),
    context,
    network: { off: 'no network for this caller' },
    env: { GREETING: 'hello from the spec' },
    ...extra,
  };
}

const phases = (events: RunEvent[]): string[] => events.flatMap((e) => (e.type === 'phase' ? [`${e.phase}:${e.state}`] : e.type === 'warning' ? [`warning:${e.message}`] : []));

void t.test('a new caller runs a command: warnings first, the phases in order, one result, its context released once', async (t) => {
  const context = trackedContext();
  const events: RunEvent[] = [];
  const out: string[] = [];
  let hostWork = 0;
  const run = runTask(spec({ kind: 'command', argv: ['sh', '-c', 'echo "$GREETING in $PWD"; exit 3'], onStdout: (l) => out.push(l), onStderr: () => undefined }, context.make, {
    warnings: ['mind the gap'],
    hostReady: () => { hostWork++; return Promise.resolve(); },
  }), (e) => events.push(e));
  const result = await run.result;
  t.equal(result.exitCode, 3, 'the command\'s own exit code');
  t.same(out, ['hello from the spec in /workspace\n'], 'the spec\'s env and the context\'s workspace mount');
  t.same(phases(events), ['warning:mind the gap', 'image:started', 'image:finished', 'proxy:skipped', 'task:started', 'task:finished']);
  const skipped = events.find((e) => e.type === 'phase' && e.phase === 'proxy');
  t.match(skipped, { detail: 'no network for this caller' }, 'the caller\'s reason for no network');
  const started = events.find((e) => e.type === 'phase' && e.phase === 'task' && e.state === 'started');
  t.match(started, { detail: /^[0-9a-f]{12}$/ }, 'the task phase names its execution context');
  t.match(events.find((e) => e.type === 'phase' && e.phase === 'task' && e.state === 'finished'), { detail: 'exit 3' });
  t.notOk(events.some((e) => e.type === 'finished'), '`finished` is the caller\'s to send');
  t.equal(hostWork, 1, 'host work ran once, with the image');
  t.equal(context.released(), 1, 'the context is released once');
});

void t.test('a prompt task: Claude\'s stream and stderr become events, the binary given by path is a skipped phase', async (t) => {
  const context = trackedContext();
  const events: RunEvent[] = [];
  const run = runTask(spec({ kind: 'prompt', prompt: 'Fix it', binary: { kind: 'path', path: FAKE_CLAUDE }, model: 'sonnet' }, context.make, {
    env: { FAKE_CLAUDE_SCENARIO: 'success' },
  }), (e) => events.push(e));
  const result = await run.result;
  t.equal(result.outcome, 'success');
  t.equal(result.sessionId, '11111111-2222-3333-4444-555555555555');
  t.same(phases(events), ['image:started', 'image:finished', 'proxy:skipped', 'claude-binary:skipped', 'task:started', 'task:finished'], 'the binary comes last, just before the task');
  t.same(events.filter((e) => e.type === 'claude').map((e) => (e.type === 'claude' ? e.event.type : '')), ['system', 'assistant', 'result', 'assistant', 'result']);
  t.same(events.filter((e) => e.type === 'stderr').map((e) => (e.type === 'stderr' ? e.line : '')), ['fake claude: done'], 'stderr lines without their newline');
  t.match(events.find((e) => e.type === 'phase' && e.phase === 'task' && e.state === 'finished'), { detail: 'success' });
  t.ok((await stat(join(context.dir, 'events.jsonl'))).isFile(), 'the event log is in the caller\'s context directory');
  t.equal(context.released(), 1);
});

void t.test('an aborted signal before the start: a stopped result, nothing prepared', async (t) => {
  const context = trackedContext();
  const events: RunEvent[] = [];
  let imageRead = 0;
  const controller = new AbortController();
  controller.abort();
  const result = await runTask(spec({ kind: 'prompt', prompt: 'x', binary: { kind: 'path', path: FAKE_CLAUDE } }, context.make, {
    signal: controller.signal,
    image: () => { imageRead++; return Promise.resolve({ dockerfile: DOCKERFILE, contextFiles: {} }); },
  }), (e) => events.push(e)).result;
  t.equal(result.stopped, true);
  t.equal(result.outcome, 'container_failed');
  t.equal(result.sessionId, '');
  t.equal(imageRead, 0, 'the image source was not even read');
  t.equal(context.made(), 0);
  t.same(events, []);
});

void t.test('a stop while the caller prepares the context: stopped, the context released, no container', async (t) => {
  const context = trackedContext();
  const events: RunEvent[] = [];
  const handle: { stop?: () => Promise<void> } = {};
  const run = runTask(spec({ kind: 'command', argv: ['true'], onStdout: () => undefined, onStderr: () => undefined }, async () => {
    const made = await context.make();
    void handle.stop?.();
    return made;
  }), (e) => events.push(e));
  handle.stop = () => run.stop();
  const result = await run.result;
  t.equal(result.stopped, true);
  t.equal(result.exitCode, undefined);
  t.equal(context.released(), 1, 'what the caller made is released');
  t.notOk(events.some((e) => e.type === 'phase' && e.phase === 'task'), 'the task never started');
});

void t.test('a stop through the signal while the task runs ends it stopped', async (t) => {
  const context = trackedContext();
  const controller = new AbortController();
  const run = runTask(spec({ kind: 'prompt', prompt: 'x', binary: { kind: 'path', path: FAKE_CLAUDE } }, context.make, {
    env: { FAKE_CLAUDE_SCENARIO: 'timeout' },
    signal: controller.signal,
  }), (e) => {
    if (e.type === 'claude' && e.event.type === 'assistant') controller.abort();
  });
  const result = await run.result;
  t.equal(result.stopped, true, 'stopped, not timed out');
  t.equal(result.timedOut, false);
  t.equal(context.released(), 1);
});

void t.test('a failing image source rejects with its error; no context is made', async (t) => {
  const context = trackedContext();
  const failure = Object.assign(new Error('no Dockerfile on the default branch'), { code: 'TEST_NO_DOCKERFILE' });
  const run = runTask(spec({ kind: 'command', argv: ['true'], onStdout: () => undefined, onStderr: () => undefined }, context.make, {
    image: () => Promise.reject(failure),
  }), () => undefined);
  await t.rejects(run.result, { code: 'TEST_NO_DOCKERFILE' });
  t.equal(context.made(), 0);
});

void t.test('a failing network source rejects; the context made before it is released', async (t) => {
  const context = trackedContext();
  const run = runTask(spec({ kind: 'command', argv: ['true'], onStdout: () => undefined, onStderr: () => undefined }, context.make, {
    network: { open: () => Promise.reject(Object.assign(new Error('allowlist missing'), { code: 'TEST_NO_ALLOWLIST' })) },
  }), () => undefined);
  await t.rejects(run.result, { code: 'TEST_NO_ALLOWLIST' });
  t.equal(context.released(), 1);
});

void t.test('nothing is left behind', async () => {
  await assertNothingLeft();
});
