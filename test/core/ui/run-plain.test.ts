import { EventEmitter } from 'node:events';
import t from 'tap';
import { watchRunPlain, type RunHandle } from '../../../src/core/ui/index.js';
import type { RunEvent } from '../../../src/core/run/index.js';
import type { ExecutionResult } from '../../../src/sandbox/claude/stream/index.js';
import { asRunEvents, claudeEvent, networkEvent, PREPARATION, resultOf, sampleEvents, toolUse } from './run-events.js';

/** Runs `watchRunPlain` over a scripted run that emits `events` and ends with `result`. */
async function plain(events: readonly RunEvent[], result: ExecutionResult, clockStep = 100): Promise<{ text: string; exitCode: number; sessionId: string | undefined }> {
  let text = '';
  let now = 1000;
  const outcome = await watchRunPlain({
    prompt: 'Write the file',
    resumeSessionId: undefined,
    write: (chunk) => {
      text += chunk;
    },
    signals: new EventEmitter(),
    clock: () => (now += clockStep),
    start: (_request, emit) => {
      const finished = (async () => {
        for (const event of events) emit(event);
        return result;
      })();
      return { result: finished, stop: async () => undefined, kill: async () => undefined };
    },
  });
  return { text, exitCode: outcome.exitCode, sessionId: outcome.sessionId };
}

t.test('the recorded Bash turn as plain lines, no cursor control', async (t) => {
  const events = sampleEvents('bash-tool-turn');
  const result = resultOf(events);
  const { text, exitCode, sessionId } = await plain([
    ...PREPARATION,
    networkEvent('DNS', 'DNS A api.anthropic.com -> 10.199.1.100'),
    networkEvent('ALLOWED', 'ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [masked: 1]'),
    ...asRunEvents(events),
    { type: 'finished', result },
  ], result);
  t.equal(text, [
    '> Write the file',
    '[image] Container image started: .airut/container/Dockerfile',
    '[image] | STEP 1/2: FROM localhost/airut-test-base:bookworm',
    '[image] | STEP 2/2: WORKDIR /workspace',
    '[image] Container image done: airut-cli-repo:abc123 (0.3s)',
    '[claude-binary] Claude Code binary started',
    `[claude-binary] [${'█'.repeat(6)}${'░'.repeat(18)}] 50.0 MB / 200.0 MB 25%`,
    `[claude-binary] [${'█'.repeat(24)}] 200.0 MB / 200.0 MB 100%, 2.0 GB/s`,
    '[claude-binary] Claude Code binary done: 2.1.332 (downloaded) (0.3s)',
    '[proxy] Network sandbox started',
    '[proxy] Network sandbox done (0.1s)',
    '[task] Claude Code started: ctx-1',
    '[network] ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [masked: 1]',
    '[session] 908e00fc-a40f-4a47-a438-6e1c9954149a (claude-opus-5-5)',
    '[tool] Bash: echo hi > /workspace/x.txt',
    '[tool] Bash done in 0.1s (1 line of output)',
    'Done: wrote the file.',
    '[done] 2 turns, 20 in / 25 out tokens, $0.0006, 0.2s, session 908e00fc-a40f-4a47-a438-6e1c9954149a',
    '',
  ].join('\n'), 'the finished event of the core and the awaited result are printed once');
  t.notOk(text.includes('\u001b'), 'no escape sequences');
  t.equal(exitCode, 0);
  t.equal(sessionId, '908e00fc-a40f-4a47-a438-6e1c9954149a');
});

t.test('a blocked request with its hint, and an error outcome', async (t) => {
  const events = [claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-5' }), toolUse('t1', 'Bash', { command: 'pip install requests' })];
  const result = resultOf(events, { exitCode: undefined, timedOut: true });
  const { text, exitCode } = await plain([...asRunEvents(events), networkEvent('BLOCKED', 'BLOCKED GET https://pypi.org/simple/requests/ -> 403')], result);
  t.match(text, /\[network\] BLOCKED GET https:\/\/pypi\.org\/simple\/requests\/ -> 403\n\[network\] {3}To allow it, add to \.airut\/network-allowlist\.yaml:\n\[network\] {3}url_prefixes:\n\[network\] {5}- host: pypi\.org\n/);
  t.match(text, /\[failed\] Timed out: .+\n\[failed\] 1 turn, 100 in \/ 20 out tokens, \$0\.0000, 1\.0s, session sess-5\n$/);
  t.equal(exitCode, 1);
});

t.test('Claude\'s stderr lines, marked as such', async (t) => {
  const events = [claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-6' })];
  const result = resultOf(events, { exitCode: 1, stderr: 'API Error: 529 overloaded\n' });
  const { text } = await plain([
    ...asRunEvents(events),
    { type: 'stderr', line: 'API Error: 529 overloaded\n' },
    { type: 'stderr', line: '\n' },
  ], result);
  t.match(text, /\[session\] sess-6\n\[claude\] API Error: 529 overloaded\n\[failed\] /, 'the line as it came, blank ones dropped');
});

t.test('the first interrupt stops, the second kills; exit code 130', async (t) => {
  const signals = new EventEmitter();
  let text = '';
  const calls: string[] = [];
  let finish!: (result: ExecutionResult) => void;
  const handle: RunHandle = {
    result: new Promise((resolve) => {
      finish = resolve;
    }),
    stop: async () => {
      calls.push('stop');
    },
    kill: async () => {
      calls.push('kill');
      finish(resultOf([], { exitCode: undefined, stopped: true }));
    },
  };
  const watching = watchRunPlain({ prompt: 'x', resumeSessionId: 'sess-old', start: () => handle, write: (chunk) => (text += chunk), signals });
  signals.emit('SIGINT');
  signals.emit('SIGTERM');
  const outcome = await watching;
  t.same(calls, ['stop', 'kill']);
  t.equal(outcome.exitCode, 130);
  t.equal(outcome.sessionId, 'sess-old', 'the session asked for, when the run reported none');
  t.match(text, /\[stop\] Stopping the task \(interrupt again to kill it\)\n\[stop\] Killing the task\n/);
  t.match(text, /\[failed\] Stopped: The run was stopped before it finished\./);
  t.equal(signals.listenerCount('SIGINT'), 0, 'signal handlers removed');
});

t.test('a run that cannot start rejects with its error', async (t) => {
  const failure = Object.assign(new Error('no Dockerfile'), { code: 'REPO_SANDBOX_NO_DOCKERFILE' });
  await t.rejects(watchRunPlain({
    prompt: 'x',
    resumeSessionId: undefined,
    write: () => undefined,
    signals: new EventEmitter(),
    start: () => ({ result: Promise.reject(failure), stop: async () => undefined, kill: async () => undefined }),
  }), { code: 'REPO_SANDBOX_NO_DOCKERFILE' });
});
