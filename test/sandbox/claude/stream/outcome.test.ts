import t from 'tap';
import { buildExecutionResult, classifyOutcome, type OutcomeInput } from '../../../../src/sandbox/claude/stream/index.js';
import { events, line } from './stream-builders.js';

const run = (input: Partial<OutcomeInput>): OutcomeInput => ({ exitCode: 1, timedOut: false, events: [], stderr: '', ...input });

const CORRUPTED_TEXT =
  'API Error: 400 {"type":"error","error":{"type":"invalid_request_error","message":"messages.3: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_01"}}';

void t.test('timeout wins over everything', (t) => {
  t.equal(classifyOutcome(run({ timedOut: true, exitCode: 0 })), 'timeout');
  t.equal(classifyOutcome(run({ timedOut: true, exitCode: undefined, stopped: true })), 'timeout');
  t.equal(classifyOutcome(run({ timedOut: true, events: events(line.result({ is_error: true, result: 'Prompt is too long' })) })), 'timeout');
  t.end();
});

void t.test('a stopped run is container_failed, never a retryable session problem', (t) => {
  t.equal(classifyOutcome(run({ stopped: true, exitCode: 143, stderr: CORRUPTED_TEXT })), 'container_failed');
  t.equal(classifyOutcome(run({ stopped: true, exitCode: 0 })), 'container_failed');
  t.equal(classifyOutcome(run({ stopped: false, exitCode: 0 })), 'success');
  t.end();
});

void t.test('exit 0 is success even when the result reports an error', (t) => {
  t.equal(classifyOutcome(run({ exitCode: 0 })), 'success', 'no events at all');
  t.equal(
    classifyOutcome(run({ exitCode: 0, events: events(line.result({ is_error: true, subtype: 'error_max_turns', result: 'Prompt is too long' })), stderr: CORRUPTED_TEXT })),
    'success',
  );
  t.end();
});

void t.test('Prompt is too long in the result or an assistant text', (t) => {
  t.equal(classifyOutcome(run({ events: events(line.init('s'), line.result({ is_error: true, result: 'Prompt is too long' })) })), 'prompt_too_long');
  t.equal(classifyOutcome(run({ events: events(line.text('Prompt is too long')) })), 'prompt_too_long');
  t.equal(classifyOutcome(run({ events: events(line.result({ is_error: true, result: '', errors: ['Prompt is too long'] })) })), 'prompt_too_long');
  t.equal(
    classifyOutcome(run({ events: events(line.text('API Error: 400 Prompt is too long: 210000 tokens > 200000 maximum')), stderr: CORRUPTED_TEXT })),
    'prompt_too_long',
    'checked before API errors',
  );
  t.equal(classifyOutcome(run({ stderr: 'Prompt is too long' })), 'container_failed', 'stderr alone does not count (as in the reference)');
  t.end();
});

void t.test('API Error: 4xx means the session is corrupted', (t) => {
  t.equal(classifyOutcome(run({ events: events(line.text(CORRUPTED_TEXT), line.result({ is_error: true, result: CORRUPTED_TEXT })) })), 'session_corrupted');
  t.equal(classifyOutcome(run({ stderr: `boot\n${CORRUPTED_TEXT}\n` })), 'session_corrupted', 'stderr as text');
  t.equal(classifyOutcome(run({ stderr: ['boot\n', `${CORRUPTED_TEXT}\n`] })), 'session_corrupted', 'stderr as lines');
  t.equal(classifyOutcome(run({ events: events(line.result({ is_error: true, result: '', api_error_status: 400 })) })), 'session_corrupted', 'api_error_status');
  t.equal(classifyOutcome(run({ events: events(JSON.stringify({ type: 'system', subtype: 'api_error', message: 'API Error: 422 bad' })) })), 'session_corrupted');
  t.equal(classifyOutcome(run({ exitCode: undefined, events: events(line.text('API Error: 404 {"message":"session not found"}')) })), 'session_corrupted');
  t.end();
});

void t.test('4xx statuses a fresh session would not cure, and 5xx, are container_failed', (t) => {
  for (const status of [401, 403, 429, 500, 529]) {
    t.equal(classifyOutcome(run({ events: events(line.result({ is_error: true, result: `API Error: ${status} nope` })) })), 'container_failed', `text ${status}`);
    t.equal(classifyOutcome(run({ events: events(line.result({ is_error: true, result: '', api_error_status: status })) })), 'container_failed', `status ${status}`);
  }
  t.equal(classifyOutcome(run({ stderr: 'API Error: 429 rate limited\nAPI Error: 400 bad request' })), 'session_corrupted', 'any qualifying match counts');
  t.end();
});

void t.test('text Claude only handled (tool input, tool output) does not classify', (t) => {
  const handled = events(line.toolUse('Bash', { command: 'grep "API Error: 400" app.log' }), line.toolResult('Prompt is too long\nAPI Error: 400'));
  t.equal(classifyOutcome(run({ events: handled })), 'container_failed');
  t.end();
});

void t.test('anything else is container_failed', (t) => {
  t.equal(classifyOutcome(run({ exitCode: 1 })), 'container_failed');
  t.equal(classifyOutcome(run({ exitCode: undefined, stderr: 'Killed' })), 'container_failed');
  t.equal(classifyOutcome(run({ exitCode: 125, stderr: 'Error: no such image' })), 'container_failed');
  t.end();
});

void t.test('a run ended for its failed proxy is proxy_failed, whatever Claude printed while it lost the network', (t) => {
  const reason = 'proxy container airut-proxy-x was killed (exit code 137)';
  t.equal(classifyOutcome(run({ proxyFailure: reason, exitCode: undefined, stderr: 'API Error: Connection error (EAI_AGAIN)' })), 'proxy_failed');
  t.equal(classifyOutcome(run({ proxyFailure: reason, exitCode: 1, stderr: CORRUPTED_TEXT })), 'proxy_failed', 'not a session to retry');
  t.equal(classifyOutcome(run({ proxyFailure: reason, exitCode: 0 })), 'proxy_failed', 'an exit 0 raced with the removal is not a success');
  t.equal(classifyOutcome(run({ exitCode: 1, stderr: 'API Error: Connection error (EAI_AGAIN)' })), 'container_failed', 'without a proxy failure, a network error is the run\'s own');
  t.end();
});

void t.test('a proxy failure gives its reason as the summary, ahead of Claude\'s own last words', (t) => {
  const reason = 'the proxy sent no health report for 2.6 s: it is frozen or stuck';
  const result = buildExecutionResult({ exitCode: undefined, timedOut: false, proxyFailure: reason, events: events(line.init('s1'), line.text('Let me fetch that')), stderr: 'API Error: Connection error', wallClockMs: 1000 });
  t.equal(result.outcome, 'proxy_failed');
  t.equal(result.errorSummary, `The network sandbox's proxy failed, so the run was stopped: ${reason}`);
  t.equal(result.proxyFailure, reason);
  t.equal(result.sessionId, 's1', 'the session can be continued once the proxy is back');
  t.equal(buildExecutionResult({ exitCode: 0, timedOut: false, events: [], stderr: '', wallClockMs: 1 }).proxyFailure, undefined, 'absent otherwise');
  t.end();
});
