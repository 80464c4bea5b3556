import t from 'tap';
import { buildExecutionResult } from '../../../src/sandbox/claude/stream/index.js';
import { planReply } from '../../../src/core/gateway/index.js';
import { replyReason } from '../../../src/core/gateway/history-views.js';

const settings = { timeoutSeconds: 600, showCost: false, conversationUrl: undefined, shuttingDown: false };

void t.test('a run that reached a budget gets a reply naming it, what was spent and what to raise; history reads it back', (t) => {
  const budget = { name: 'repos.r1.budgets.cost_usd.conversation', limit: 10, spent: 10.02, unit: 'usd' as const };
  const result = buildExecutionResult({ exitCode: 1, timedOut: false, events: [], stderr: 'API Error: 403', wallClockMs: 1, budgetExceeded: budget });
  const plan = planReply(result, settings);
  t.equal(plan.reason, 'budget_exceeded');
  t.equal(plan.reply.kind, 'error');
  t.equal(plan.reply.markdown, 'The run reached its budget repos.r1.budgets.cost_usd.conversation: $10.02 spent of $10.00, so the proxy refused further Messages API calls. Raise repos.r1.budgets.cost_usd.conversation to allow more.');
  t.equal(plan.attachOutbox, true);
  t.equal(replyReason({ isError: true, responseText: plan.reply.markdown } as Parameters<typeof replyReason>[0]), 'budget_exceeded');
  t.end();
});
