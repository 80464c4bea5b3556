import t from 'tap';
import { initialRunViewState, reduceRunEvent, sessionTotals, startFollowUp, type RunViewState, type ToolCallItem } from '../../../src/core/ui/index.js';
import type { RunEvent } from '../../../src/core/run/index.js';
import { asRunEvents, assistantText, claudeEvent, networkEvent, PREPARATION, resultOf, sampleEvents, toolResult, toolUse } from './run-events.js';

/** Folds `events` in, one clock tick of 100 ms apart, starting at 1000. */
function fold(events: readonly RunEvent[], state: RunViewState = initialRunViewState('Do it', 1000), start = 1000): RunViewState {
  return events.reduce((s, event, index) => reduceRunEvent(s, event, start + (index + 1) * 100), state);
}

const tools = (state: RunViewState): ToolCallItem[] => state.transcript.filter((i): i is ToolCallItem => i.kind === 'tool');

t.test('the recorded Bash turn: a tool call with its result, the answer, the totals of the result event', async (t) => {
  const events = sampleEvents('bash-tool-turn');
  const state = fold([...asRunEvents(events), { type: 'finished', result: resultOf(events) }]);
  t.same(state.transcript.map((i) => i.kind), ['prompt', 'tool', 'text']);
  const [call] = tools(state);
  t.match(call, { name: 'Bash', summary: 'echo hi > /workspace/x.txt', status: 'ok', result: '(Bash completed with no output)', nested: false });
  t.equal((call?.endedAt ?? 0) - (call?.startedAt ?? 0), 100, 'timed from the call to its result (the next event)');
  t.match(state.transcript.at(-1), { kind: 'text', text: 'Done: wrote the file.' });
  t.equal(state.sessionId, '908e00fc-a40f-4a47-a438-6e1c9954149a');
  t.equal(state.model, 'claude-opus-5-5');
  t.same(sessionTotals(state), { turns: 2, inputTokens: 20, outputTokens: 25, costUsd: 0.00058 });
  t.equal(state.result?.outcome, 'success');
});

t.test('the recorded text turn', async (t) => {
  const events = sampleEvents('text-turn');
  const state = fold(asRunEvents(events));
  t.same(state.transcript, [{ kind: 'prompt', text: 'Do it' }, { kind: 'text', text: 'Hello from the fake server.', nested: false }]);
  t.same(sessionTotals(state), { turns: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.00014000000000000001 });
});

t.test('phases: started, finished with their times; build lines and download progress kept', async (t) => {
  const state = fold(PREPARATION);
  t.match(state.phases.image, { state: 'done', detail: 'airut-cli-repo:abc123', startedAt: 1100, endedAt: 1400 });
  t.match(state.phases['claude-binary'], { state: 'done', detail: '2.1.332 (downloaded)' });
  t.match(state.phases.proxy, { state: 'done' });
  t.match(state.phases.task, { state: 'running', detail: 'ctx-1' });
  t.same(state.buildLines, ['STEP 1/2: FROM localhost/airut-test-base:bookworm', 'STEP 2/2: WORKDIR /workspace']);
  t.match(state.download, { bytes: 200_000_000, total: 200_000_000 });
  t.ok(state.download !== undefined && state.download.at > state.download.startedAt, 'the times of the first and latest download events are kept, for its speed');
  const skipped = fold([{ type: 'phase', phase: 'proxy', state: 'skipped', detail: 'network sandbox off' }]);
  t.match(skipped.phases.proxy, { state: 'skipped', detail: 'network sandbox off' });
  const many = fold(Array.from({ length: 10 }, (_, i): RunEvent => ({ type: 'build-output', line: `line ${i}\n` })));
  t.same(many.buildLines, ['line 6', 'line 7', 'line 8', 'line 9'], 'only the last lines, without newlines');
});

t.test('a tool call in progress: running, with live token and turn counts', async (t) => {
  const state = fold(asRunEvents([claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-1', model: 'claude-test' }), toolUse('t1', 'Read', { file_path: '/workspace/README.md' })]));
  t.match(tools(state), [{ id: 't1', name: 'Read', summary: '/workspace/README.md', status: 'running', endedAt: undefined }]);
  t.same(state.current, { turns: 1, inputTokens: 100, outputTokens: 20, costUsd: 0 });
  t.equal(state.sessionId, 'sess-1');
  t.equal(state.result, undefined);
});

t.test('a message repeated per content block counts once', async (t) => {
  const state = fold(asRunEvents([assistantText('First', 'msg_a'), toolUse('t1', 'Bash', { command: 'ls' }, { messageId: 'msg_a' })]));
  t.same(state.current, { turns: 1, inputTokens: 100, outputTokens: 20, costUsd: 0 }, 'the latest usage of msg_a');
});

t.test('a failed tool result and a subagent call', async (t) => {
  const state = fold(asRunEvents([
    toolUse('task', 'Task', { description: 'look around', prompt: 'long text' }),
    toolUse('inner', 'Grep', { pattern: 'TODO', path: 'src' }, { parent: 'task' }),
    toolResult('inner', [{ type: 'text', text: 'grep: src: No such file' }], true),
  ]));
  t.match(tools(state), [
    { name: 'Task', summary: 'look around', status: 'running', nested: false },
    { name: 'Grep', summary: 'TODO in src', status: 'error', result: 'grep: src: No such file', nested: true },
  ]);
  t.equal(state.current.turns, 1, 'subagent messages are not turns of the session');
});

t.test('a blocked request: counted, highlighted kind kept, the entry that would allow it', async (t) => {
  const state = fold([
    networkEvent('TASK_START', '=== TASK START 2026-11-27T12:00:00Z ==='),
    networkEvent('DNS', 'DNS A api.anthropic.com -> 10.199.1.100'),
    networkEvent('ALLOWED', 'ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [masked: 1]'),
    networkEvent('BLOCKED', 'BLOCKED GET https://pypi.org/simple/requests/ -> 403'),
  ]);
  t.equal(state.network.allowed, 1);
  t.equal(state.network.blocked, 1);
  t.same(state.network.lines.map((l) => l.kind), ['ALLOWED', 'BLOCKED'], 'DNS answers and the start marker are left out');
  t.same(state.network.lastBlockHint, [
    'To allow it, add to .airut/network-allowlist.yaml:',
    'url_prefixes:',
    '  - host: pypi.org',
    '    path: /simple/requests/',
    '    methods: [GET]',
  ]);
  const connect = fold([networkEvent('BLOCKED', 'BLOCKED CONNECT evil.test:443 -> 403 (CONNECT is never allowed)')], state);
  t.same(connect.network.lastBlockHint, ['CONNECT evil.test:443 cannot be allowed: CONNECT is never allowed.'], 'the hint follows the last block');
  t.equal(connect.network.blocked, 2);
  const problems = fold([networkEvent('ERROR', 'ERROR GET https://a.test/ -> upstream reset'), networkEvent('STRIPPED', "STRIPPED header 'authorization' from GET https://a.test/ (foreign credential blocked)")]);
  t.equal(problems.network.problems, 2);
});

t.test('an error outcome: running tools interrupted, the summary in the transcript', async (t) => {
  const events = [claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-2' }), toolUse('t1', 'Bash', { command: 'sleep 600' })];
  const result = resultOf(events, { exitCode: undefined, timedOut: true });
  const state = fold([...PREPARATION, ...asRunEvents(events), { type: 'finished', result }]);
  t.match(tools(state), [{ status: 'interrupted', endedAt: 1000 + (PREPARATION.length + 3) * 100 }]);
  t.match(state.transcript.at(-1), { kind: 'error', text: /^Timed out: / });
  t.equal(state.phases.task.state, 'failed');
  t.equal(state.sessionId, 'sess-2');
  const reported = fold([{ type: 'phase', phase: 'task', state: 'started' }, { type: 'phase', phase: 'task', state: 'finished', detail: 'timeout' }, { type: 'finished', result }]);
  t.match(reported.phases.task, { state: 'failed', detail: 'timeout', endedAt: 1200 }, 'a task phase the core finished turns failed, keeping its end');
  t.same(state.current, { turns: 1, inputTokens: 100, outputTokens: 20, costUsd: 0 }, 'no result event: the live counts stay');
});

t.test('an error result from Claude is said once, with how the run ended', async (t) => {
  const events = [
    claudeEvent({ type: 'system', subtype: 'init', session_id: 'sess-3' }),
    claudeEvent({ type: 'result', subtype: 'error_during_execution', is_error: true, session_id: 'sess-3', result: 'API Error: 400 bad tool_use', num_turns: 1, total_cost_usd: 0.01, usage: { input_tokens: 5, output_tokens: 1 } }),
  ];
  const result = resultOf(events, { exitCode: 1 });
  const state = fold([...asRunEvents(events), { type: 'finished', result }]);
  const errors = state.transcript.filter((i) => i.kind === 'error');
  t.equal(errors.length, 1);
  t.match(errors[0], { text: /^Session rejected: .*API Error: 400/ });
  t.same(sessionTotals(state), { turns: 1, inputTokens: 5, outputTokens: 1, costUsd: 0.01 });
});

t.test('a stop', async (t) => {
  const result = resultOf([], { exitCode: undefined, stopped: true });
  const state = fold([{ type: 'finished', result }]);
  t.match(state.transcript.at(-1), { kind: 'error', text: 'Stopped: The run was stopped before it finished.' });
});

t.test('warnings, stderr and system notices', async (t) => {
  const state = fold([
    { type: 'warning', message: 'using the cached Claude Code 2.1.331' },
    { type: 'stderr', line: 'Updating certificates\n' },
    { type: 'claude', event: claudeEvent({ type: 'system', subtype: 'api_retry', session_id: 's' }) },
    { type: 'claude', event: claudeEvent({ type: 'something_new' }) },
  ]);
  t.same(state.transcript.slice(1), [
    { kind: 'notice', text: 'using the cached Claude Code 2.1.331' },
    { kind: 'notice', text: 'Claude Code: api_retry' },
  ]);
  t.same(state.stderrTail, ['Updating certificates']);
});

t.test('a follow-up keeps the transcript and adds the first run to the totals', async (t) => {
  const first = sampleEvents('text-turn');
  const afterFirst = fold([...asRunEvents(first), { type: 'finished', result: resultOf(first) }]);
  const followed = startFollowUp(afterFirst, 'And again');
  t.equal(followed.result, undefined);
  t.equal(followed.phases.image.state, 'pending');
  t.same(followed.transcript.at(-1), { kind: 'prompt', text: 'And again' });
  const second = sampleEvents('bash-tool-turn');
  const done = fold([...asRunEvents(second), { type: 'finished', result: resultOf(second) }], followed, 5000);
  t.same(sessionTotals(done), { turns: 3, inputTokens: 30, outputTokens: 30, costUsd: 0.00014000000000000001 + 0.00058 });
  t.same(done.transcript.map((i) => i.kind), ['prompt', 'text', 'prompt', 'tool', 'text']);
});

t.test('the state passed in is never changed', async (t) => {
  const before = initialRunViewState('x', 0);
  const copy = structuredClone(before);
  reduceRunEvent(before, networkEvent('BLOCKED', 'BLOCKED GET https://a.test/ -> 403'), 1);
  reduceRunEvent(before, { type: 'claude', event: toolUse('t', 'Bash', { command: 'ls' }) }, 1);
  t.same(before, copy);
});
