import t from 'tap';
import { buildExecutionResult } from '../../../src/sandbox/claude/stream/index.js';
import { planReply } from '../../../src/core/gateway/index.js';
import { replyReason } from '../../../src/core/gateway/history-views.js';

// A run ended because its network proxy failed gets a reply that says so,
// with the proxy's reason, and is not mistaken for Claude's own failure.

const settings = { timeoutSeconds: 600, showCost: false, conversationUrl: undefined, shuttingDown: false };

void t.test('the gateway replies with the proxy failure and its reason', (t) => {
  const reason = 'proxy container airut-proxy-abc was killed (exit code 137)';
  const result = buildExecutionResult({ exitCode: undefined, timedOut: false, proxyFailure: reason, events: [], stderr: 'API Error: Connection error', wallClockMs: 1000 });
  const plan = planReply(result, settings);
  t.equal(plan.reason, 'proxy_failed');
  t.equal(plan.reply.kind, 'error');
  t.match(plan.reply.markdown, /^The network sandbox failed during the run, so it was stopped/);
  t.match(plan.reply.markdown, /not of your request/);
  t.ok(plan.reply.markdown.includes(`\`\`\`\n${reason}\n\`\`\``), 'the reason is quoted');
  t.notMatch(plan.reply.markdown, /Claude output/, 'not presented as Claude\'s failure');
  t.equal(plan.attachOutbox, true, 'files written before the failure still ship');

  const recorded = replyReason({ isError: true, responseText: plan.reply.markdown } as Parameters<typeof replyReason>[0]);
  t.equal(recorded, 'proxy_failed', 'the dashboard history reads the same reason back');

  const other = planReply(buildExecutionResult({ exitCode: 1, timedOut: false, events: [], stderr: 'boom', wallClockMs: 1 }), settings);
  t.equal(other.reason, 'execution_failed', 'other failures are unchanged');
  t.end();
});
