import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { buildExecutionResult, NO_OUTPUT_TEXT, type ExecutionFacts } from '../../../../src/sandbox/claude/stream/index.js';
import { events, line } from './stream-builders.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'claude');
const sample = async (name: string): Promise<string[]> => (await readFile(join(fixtures, name), 'utf8')).split('\n');

const facts = (input: Partial<ExecutionFacts>): ExecutionFacts => ({ exitCode: 0, timedOut: false, events: [], stderr: '', wallClockMs: 5000, ...input });

void t.test('the real text-turn sample', async (t) => {
  const parsed = events(...(await sample('claude-2.1.332-text-turn.jsonl')));
  const result = buildExecutionResult(facts({ events: parsed, wallClockMs: 1830 }));
  t.hasStrict(result, {
    outcome: 'success',
    sessionId: '58ca827b-fa96-4ef2-93e8-c54b8cb2114c',
    responseText: 'Hello from the fake server.',
    durationMs: 125,
    costUsd: 0.00014000000000000001,
    numTurns: 1,
    isError: false,
    usage: { inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    webSearchRequests: 0,
    webFetchRequests: 0,
    errorSummary: undefined,
    exitCode: 0,
    timedOut: false,
    stopped: false,
    stderrTail: '',
  });
  t.equal(result.events.length, 3);
});

void t.test('the real Bash-tool sample', async (t) => {
  const parsed = events(...(await sample('claude-2.1.332-bash-tool-turn.jsonl')));
  const result = buildExecutionResult(facts({ events: parsed }));
  t.hasStrict(result, {
    outcome: 'success',
    sessionId: '908e00fc-a40f-4a47-a438-6e1c9954149a',
    responseText: 'Done: wrote the file.',
    durationMs: 237,
    costUsd: 0.00058,
    numTurns: 2,
    usage: { inputTokens: 20, outputTokens: 25 },
  });
  t.equal(result.events.length, 5);
});

void t.test('several result events: durations and turns add up, cost and usage from the last, texts joined', (t) => {
  const parsed = events(
    line.init('sess-init'),
    line.text('Main answer'),
    line.result({ session_id: 'sess-1', duration_ms: 1000, num_turns: 3, total_cost_usd: 0.5, result: 'Main answer', usage: { input_tokens: 100, output_tokens: 10 } }),
    line.text('Background job finished'),
    line.result({ session_id: 'sess-2', duration_ms: 250, num_turns: 1, total_cost_usd: 0.75, result: 'Background job finished', usage: { input_tokens: 150, output_tokens: 20, cache_read_input_tokens: 7 } }),
  );
  const result = buildExecutionResult(facts({ events: parsed }));
  t.hasStrict(result, {
    outcome: 'success',
    sessionId: 'sess-2',
    durationMs: 1250,
    numTurns: 4,
    costUsd: 0.75,
    usage: { inputTokens: 150, outputTokens: 20, cacheReadInputTokens: 7 },
    responseText: 'Main answer\n\nBackground job finished',
  });
  t.end();
});

void t.test('session id: last result, else init, else any event; empty when none', (t) => {
  t.equal(buildExecutionResult(facts({ events: events(line.init('from-init'), line.text('x')) })).sessionId, 'from-init');
  t.equal(buildExecutionResult(facts({ events: events(line.init('from-init'), line.result({ session_id: '' })) })).sessionId, 'from-init');
  t.equal(buildExecutionResult(facts({ events: events(line.text('x', { session_id: 'from-text' })) })).sessionId, 'from-text');
  t.equal(buildExecutionResult(facts({ events: [] })).sessionId, '');
  t.end();
});

void t.test('duration falls back to wall-clock time when Claude reported none', (t) => {
  t.equal(buildExecutionResult(facts({ events: events(line.text('x')), wallClockMs: 4321.6 })).durationMs, 4322);
  t.equal(buildExecutionResult(facts({ events: events(line.result({ duration_ms: 0 })), wallClockMs: 99 })).durationMs, 99);
  t.end();
});

void t.test('response text: the last text, or a long earlier text and what follows it', (t) => {
  const long = 'A detailed answer. '.repeat(10);
  const pick = (...lines: string[]) => buildExecutionResult(facts({ events: events(...lines, line.result({ result: 'result text' })) })).responseText;
  t.equal(pick(line.text('Looking.'), line.text('Final short answer')), 'Final short answer');
  t.equal(pick(line.text(long), line.toolUse('Bash'), line.text('Done.')), `${long}\n\nDone.`);
  t.equal(pick(line.text(long), line.text('middle'), line.text('x'.repeat(60))), 'x'.repeat(60), 'an earlier text under 4x the last does not anchor');
  t.equal(
    pick(line.text(long), line.text('1'), line.text('2'), line.text('3'), line.text('4'), line.text('Done.')),
    'Done.',
    'only the 4 texts before the last are looked at',
  );
  t.equal(pick(line.text(long), line.text('2'), line.text('3'), line.text('4'), line.text('Done.')), `${long}\n\n2\n\n3\n\n4\n\nDone.`);
  t.equal(
    pick(line.text('Answer from the main agent'), line.text('Subagent report', { parent_tool_use_id: 'toolu_task' })),
    'Answer from the main agent',
    'subagent messages are not the reply',
  );
  const twoBlocks = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'first' }, { type: 'tool_use', id: 't', name: 'Bash', input: {} }, { type: 'text', text: 'second' }] } });
  t.equal(pick(twoBlocks), 'first\n\nsecond', 'text blocks of one message are joined');
  t.equal(pick(), 'result text', 'falls back to the result text');
  t.equal(buildExecutionResult(facts({ events: events(line.init('s')) })).responseText, NO_OUTPUT_TEXT);
  t.equal(buildExecutionResult(facts({ events: [] })).responseText, NO_OUTPUT_TEXT, 'exit 0 without any JSON');
  t.end();
});

void t.test('web searches and fetches: tool calls or server-side counts, whichever is higher', (t) => {
  const parsed = events(
    line.toolUse('WebSearch', { query: 'a' }),
    line.toolUse('WebFetch', { url: 'https://example.test' }),
    line.toolUse('WebFetch', { url: 'https://example.test/2' }),
    line.toolUse('Bash'),
    line.result({ usage: { server_tool_use: { web_search_requests: 3, web_fetch_requests: 0 } } }),
  );
  const result = buildExecutionResult(facts({ events: parsed }));
  t.equal(result.webSearchRequests, 3);
  t.equal(result.webFetchRequests, 2);
  t.end();
});

void t.test('failures: no response text, an error summary, isError set', (t) => {
  const timeout = buildExecutionResult(facts({ exitCode: undefined, timedOut: true, events: events(line.init('s1'), line.text('Working on it')) }));
  t.hasStrict(timeout, { outcome: 'timeout', responseText: '', isError: true, errorSummary: 'Working on it', sessionId: 's1', exitCode: undefined, timedOut: true });

  const tooLong = buildExecutionResult(facts({ exitCode: 1, events: events(line.result({ is_error: true, result: 'Prompt is too long' })) }));
  t.hasStrict(tooLong, { outcome: 'prompt_too_long', responseText: '', errorSummary: 'Prompt is too long' });

  const manyLines = Array.from({ length: 15 }, (_, i) => `line ${i + 1}`).join('\n');
  const crash = buildExecutionResult(facts({ exitCode: 1, events: events(line.result({ is_error: true, result: `${manyLines}\n\n` })) }));
  t.equal(crash.errorSummary, Array.from({ length: 10 }, (_, i) => `line ${i + 6}`).join('\n'), 'last 10 lines');

  const fromErrors = buildExecutionResult(facts({ exitCode: 1, events: events(line.result({ is_error: true, result: '', subtype: 'error_during_execution', errors: ['tool crashed', 'gave up'] })) }));
  t.equal(fromErrors.errorSummary, 'tool crashed\ngave up');

  const fromTexts = buildExecutionResult(facts({ exitCode: 1, events: events(line.text('  first  '), line.text(''), line.text('second')) }));
  t.equal(fromTexts.errorSummary, 'first\nsecond');

  const fromStderr = buildExecutionResult(facts({ exitCode: 2, stderr: ['setup\n', 'Error: ENOENT /opt/claude/claude\n'] }));
  t.hasStrict(fromStderr, { outcome: 'container_failed', errorSummary: 'setup\nError: ENOENT /opt/claude/claude', stderrTail: 'setup\nError: ENOENT /opt/claude/claude' });

  t.equal(buildExecutionResult(facts({ exitCode: 137 })).errorSummary, 'Claude Code exited with code 137 and printed nothing.');
  t.equal(buildExecutionResult(facts({ exitCode: undefined, stopped: true })).errorSummary, 'The run was stopped before it finished.');
  t.hasStrict(buildExecutionResult(facts({ exitCode: 0, stopped: true, events: events(line.text('half done')) })), { outcome: 'container_failed', stopped: true, errorSummary: 'half done' });

  const isErrorSuccess = buildExecutionResult(facts({ exitCode: 0, events: events(line.result({ is_error: true, result: 'hit max turns' })) }));
  t.hasStrict(isErrorSuccess, { outcome: 'success', isError: true, errorSummary: undefined, responseText: 'hit max turns' });
  t.end();
});

void t.test('stderr tail keeps the last 20 lines and at most 4000 characters', (t) => {
  const lines = Array.from({ length: 30 }, (_, i) => `err ${i + 1}`);
  t.equal(buildExecutionResult(facts({ exitCode: 1, stderr: `${lines.join('\n')}\n` })).stderrTail, lines.slice(10).join('\n'));
  const wide = buildExecutionResult(facts({ exitCode: 1, stderr: 'y'.repeat(10_000) })).stderrTail;
  t.equal(wide.length, 4000);
  t.end();
});
