import { EventEmitter } from 'node:events';
import t, { type Test } from 'tap';
import { render } from 'ink-testing-library';
import { RunApp } from '../../../src/core/ui/run-app.js';
import type { RunHandle, RunRequest, StartRun, WatchOutcome } from '../../../src/core/ui/index.js';
import type { RunEventSink } from '../../../src/core/run/index.js';
import type { ExecutionResult } from '../../../src/sandbox/claude/stream/index.js';
import { frameMatching } from './frames.js';
import { asRunEvents, PREPARATION, resultOf, sampleEvents, toolUse } from './run-events.js';

/** A run the test drives by hand: it emits what the test says and ends when told. */
interface ScriptedRun {
  request: RunRequest;
  emit: RunEventSink;
  finish(result: ExecutionResult): void;
  fail(error: Error): void;
  stops: number;
  kills: number;
}

function scriptedStarts(): { start: StartRun; runs: ScriptedRun[]; started: EventEmitter } {
  const runs: ScriptedRun[] = [];
  const started = new EventEmitter();
  const start: StartRun = (request, emit) => {
    let finish!: (result: ExecutionResult) => void;
    let fail!: (error: Error) => void;
    const result = new Promise<ExecutionResult>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
    const run: ScriptedRun = { request, emit, finish, fail, stops: 0, kills: 0 };
    const handle: RunHandle = {
      result,
      stop: async () => {
        run.stops++;
        started.emit('stop', run);
      },
      kill: async () => {
        run.kills++;
        started.emit('kill', run);
      },
    };
    runs.push(run);
    queueMicrotask(() => started.emit('run', run));
    return handle;
  };
  return { start, runs, started };
}

function nextEvent<T>(emitter: EventEmitter, name: string): Promise<T> {
  return new Promise((resolve) => emitter.once(name, resolve));
}

function app(t: Test, props: { prompt?: string; resume?: string; allowFollowUp?: boolean } = {}) {
  const scripted = scriptedStarts();
  let resolveExit!: (outcome: WatchOutcome) => void;
  const exited = new Promise<WatchOutcome>((resolve) => {
    resolveExit = resolve;
  });
  const rendered = render(
    <RunApp
      prompt={props.prompt ?? 'Write the file'}
      resumeSessionId={props.resume}
      start={scripted.start}
      allowFollowUp={props.allowFollowUp ?? true}
      sandboxed
      onExit={resolveExit}
      clock={() => 1000}
      tickMs={60_000}
    />,
  );
  t.teardown(() => rendered.unmount());
  return { ...scripted, rendered, exited };
}

const ESC = '\u001b';
const CTRL_C = '\u0003';

t.test('a run, its transcript, v and n toggles, then a follow-up in the same session and Esc', async (t) => {
  const { rendered, runs, started, exited } = app(t);
  const first = runs[0] ?? (await nextEvent<ScriptedRun>(started, 'run'));
  t.same(first.request, { prompt: 'Write the file', resumeSessionId: undefined });
  const events = sampleEvents('bash-tool-turn');
  for (const event of [...PREPARATION, ...asRunEvents(events)]) first.emit(event);
  await frameMatching(rendered, /✓ Bash echo hi > \/workspace\/x\.txt done/);
  await frameMatching(rendered, /Network\s+0 allowed/);
  rendered.stdin.write('n');
  await frameMatching(rendered, /^(?![\s\S]*0 allowed)[\s\S]*q or Ctrl-C stop/);
  rendered.stdin.write('v');
  await frameMatching(rendered, /✓ Bash echo hi > \/workspace\/x\.txt done 0\.0s\n\s+\(Bash completed with no output\)/);

  first.finish(resultOf(events));
  const input = await frameMatching(rendered, /Follow-up: Enter sends/);
  t.match(input, /Done: wrote the file\./);
  rendered.stdin.write('And');
  rendered.stdin.write(' again!');
  rendered.stdin.write('\u007f');
  await frameMatching(rendered, /> And again\s/);
  const secondStarted = nextEvent<ScriptedRun>(started, 'run');
  rendered.stdin.write('\r');
  const second = await secondStarted;
  t.same(second.request, { prompt: 'And again', resumeSessionId: '908e00fc-a40f-4a47-a438-6e1c9954149a' }, 'the follow-up continues the session');
  const texts = sampleEvents('text-turn');
  for (const event of asRunEvents(texts)) second.emit(event);
  second.finish(resultOf(texts));
  const again = await frameMatching(rendered, /Hello from the fake server\.[\s\S]*Follow-up: Enter sends/);
  t.match(again, /> Write the file[\s\S]*Done: wrote the file\.[\s\S]*> And again[\s\S]*Hello from the fake server\./);
  t.match(again, /3 turns · 30 in \/ 30 out tokens/);
  rendered.stdin.write(ESC);
  const outcome = await exited;
  t.equal(outcome.exitCode, 0);
  t.equal(outcome.sessionId, '58ca827b-fa96-4ef2-93e8-c54b8cb2114c');
  t.equal(outcome.interrupted, false);
  t.equal(outcome.result?.responseText, 'Hello from the fake server.');
});

t.test('q stops the task, a second Ctrl-C kills it, and the app exits with 130 once the run has ended', async (t) => {
  const { rendered, runs, started, exited } = app(t);
  const run = runs[0] ?? (await nextEvent<ScriptedRun>(started, 'run'));
  run.emit({ type: 'claude', event: toolUse('t1', 'Bash', { command: 'sleep 600' }) });
  await frameMatching(rendered, /Bash sleep 600 running/);
  const stopped = nextEvent(started, 'stop');
  rendered.stdin.write('q');
  await stopped;
  await frameMatching(rendered, /Stopping the task… Ctrl-C again kills it/);
  const killed = nextEvent(started, 'kill');
  rendered.stdin.write(CTRL_C);
  await killed;
  await frameMatching(rendered, /Killing the task…/);
  t.equal(run.stops, 1);
  t.equal(run.kills, 1);
  // Watch for the final frame before the run ends: after exit Ink may already have written its last, empty frame.
  const finalFrame = frameMatching(rendered, /Stopped: The run was stopped before it finished\./);
  run.finish(resultOf([toolUse('t1', 'Bash', { command: 'sleep 600' })], { exitCode: undefined, stopped: true }));
  const outcome = await exited;
  t.equal(outcome.exitCode, 130);
  t.equal(outcome.interrupted, true);
  t.match(await finalFrame, /interrupted/);
});

t.test('an empty line after the answer exits; a failed run exits with 1 and no follow-up is offered without a session', async (t) => {
  const { rendered, runs, started, exited } = app(t);
  const run = runs[0] ?? (await nextEvent<ScriptedRun>(started, 'run'));
  const events = sampleEvents('text-turn');
  for (const event of asRunEvents(events)) run.emit(event);
  run.finish(resultOf(events));
  await frameMatching(rendered, /Follow-up: Enter sends/);
  rendered.stdin.write('\r');
  t.match(await exited, { exitCode: 0, sessionId: '58ca827b-fa96-4ef2-93e8-c54b8cb2114c' });

  const failing = app(t);
  const failed = failing.runs[0] ?? (await nextEvent<ScriptedRun>(failing.started, 'run'));
  failed.finish(resultOf([], { exitCode: 1, stderr: 'boom' }));
  t.match(await failing.exited, { exitCode: 1, sessionId: undefined, interrupted: false });
});

t.test('without a prompt the app opens on the input line and starts nothing until Enter', async (t) => {
  const { rendered, runs, started, exited } = app(t, { prompt: '', resume: 'sess-old' });
  await frameMatching(rendered, /Follow-up: Enter sends/);
  t.equal(runs.length, 0);
  const startedRun = nextEvent<ScriptedRun>(started, 'run');
  rendered.stdin.write('Continue please');
  rendered.stdin.write('\r');
  const run = await startedRun;
  t.same(run.request, { prompt: 'Continue please', resumeSessionId: 'sess-old' });
  run.fail(Object.assign(new Error('image build failed'), { code: 'IMAGE_BUILD_FAILED' }));
  const outcome = await exited;
  t.equal(outcome.result, undefined);
});
