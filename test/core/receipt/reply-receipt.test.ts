import t from 'tap';
import { planReply, type ReplySettings } from '../../../src/core/gateway/index.js';
import { replyReason } from '../../../src/core/gateway/history-views.js';
import type { Receipt } from '../../../src/core/receipt/index.js';
import { buildExecutionResult, parseStreamJsonLine, type ExecutionResult } from '../../../src/sandbox/claude/stream/index.js';

// Every gateway reply ends with the run's receipt when the caller has one:
// successes and failures alike, with the blocked requests numbered and the
// `allow` hint only when approvals are on.

const receipt: Receipt = {
  hosts: [{ host: 'api.anthropic.com', allowed: 2, blocked: 0, bytesUp: 2048, bytesDown: 4096 }, { host: 'pkgs.test', allowed: 0, blocked: 2, bytesUp: 0, bytesDown: 0 }],
  blocked: [{ method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', count: 2 }],
  credentials: ['ANTHROPIC_API_KEY'],
  approvals: [],
  usage: { calls: 2, inputTokens: 300, outputTokens: 40, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0.0123, claudeCostUsd: 0.0123 },
  durationMs: 5000,
};

function run(exitCode: number | undefined, events: object[], extra: { timedOut?: boolean; stopped?: boolean } = {}): ExecutionResult {
  return buildExecutionResult({ exitCode, timedOut: extra.timedOut ?? false, stopped: extra.stopped ?? false, events: events.flatMap((e) => parseStreamJsonLine(JSON.stringify(e)) ?? []), stderr: 'boom', wallClockMs: 10 });
}

const success = run(0, [
  { type: 'system', subtype: 'init', session_id: 's' },
  { type: 'assistant', message: { content: [{ type: 'text', text: 'Done.' }] }, session_id: 's' },
  { type: 'result', subtype: 'success', is_error: false, result: 'Done.', session_id: 's', duration_ms: 5, num_turns: 1, total_cost_usd: 0.0123 },
]);
const settings = { timeoutSeconds: 600, showCost: true, conversationUrl: 'https://airut.test/conversation/abcd1234', shuttingDown: false };

void t.test('a successful reply: the answer, then the receipt; the footer keeps the link and leaves the cost to the receipt', (t) => {
  const plan = planReply(success, { ...settings, receipt });
  t.match(plan.reply.markdown, /^Done\.\n\n---\n\n\*\*Receipt\*\* · 5\.0s · 300 in \/ 40 out tokens \(2 calls\), \$0\.0123\n/);
  t.match(plan.reply.markdown, /^- `pkgs\.test` 2 blocked$/m);
  t.match(plan.reply.markdown, /^1\. `GET pkgs\.test\/simple\/x` \(2×\)$/m);
  t.match(plan.reply.markdown, /reply with a line such as `allow 1` \(that method, host and path only\)\.$/);
  t.equal(plan.reply.footer, 'https://airut.test/conversation/abcd1234');
  t.equal(plan.recordText, 'Done.', 'the record keeps the answer without the block');
  const without = planReply(success, settings);
  t.equal(without.reply.markdown, 'Done.', 'no receipt: the answer alone');
  t.equal(without.reply.footer, 'Cost: $0.0123 · https://airut.test/conversation/abcd1234');
  t.end();
});

void t.test('with approvals off the list stays but no allow hint', (t) => {
  const plan = planReply(success, { ...settings, receipt, approvals: false });
  t.match(plan.reply.markdown, /^1\. `GET pkgs\.test\/simple\/x` \(2×\)$/m);
  t.notMatch(plan.reply.markdown, /allow 1/);
  t.end();
});

void t.test('failures, timeouts and stops carry the receipt too, and the dashboard still reads their reason', (t) => {
  const cases: [ExecutionResult, Partial<ReplySettings>, string][] = [
    [run(1, []), {}, 'execution_failed'],
    [run(undefined, [], { timedOut: true }), {}, 'timeout'],
    [run(undefined, [], { stopped: true }), { stoppedByOperator: true }, 'stopped'],
    [run(undefined, [], { stopped: true }), { shuttingDown: true }, 'interrupted'],
  ];
  for (const [result, extra, reason] of cases) {
    const plan = planReply(result, { ...settings, ...extra, receipt });
    t.match(plan.reply.markdown, /\n\n---\n\n\*\*Receipt\*\*/, `${reason}: receipt block`);
    t.notMatch(plan.recordText, /Receipt/, `${reason}: the recorded text has no receipt block`);
    t.equal(replyReason({ isError: true, responseText: plan.recordText } as Parameters<typeof replyReason>[0]), reason, `${reason}: reason read back from the stored text`);
  }
  t.end();
});

void t.test('a run with nothing to report (no request, no usage, no approval) keeps its reply as it is', (t) => {
  const quiet: Receipt = { ...receipt, hosts: [], blocked: [], credentials: [], usage: { ...receipt.usage, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 } };
  const plan = planReply(success, { ...settings, receipt: quiet });
  t.equal(plan.reply.markdown, 'Done.');
  t.equal(plan.reply.footer, 'Cost: $0.0123 · https://airut.test/conversation/abcd1234', 'the footer keeps the cost');
  const mismatch: Receipt = { ...quiet, usage: { ...quiet.usage, mismatch: 'the proxy counted no Messages API responses, while Claude Code reported 7 input and 3 output tokens, $0.0100' } };
  t.match(planReply(success, { ...settings, receipt: mismatch }).reply.markdown, /Usage differs from Claude Code's own count: the proxy counted no Messages API responses/, 'but a mismatch is always said');
  t.end();
});
