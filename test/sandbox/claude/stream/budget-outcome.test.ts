import t from 'tap';
import { buildExecutionResult, classifyOutcome, describeBudget, type ExecutionFacts } from '../../../../src/sandbox/claude/stream/index.js';

const facts = (input: Partial<ExecutionFacts>): ExecutionFacts => ({ exitCode: 0, timedOut: false, events: [], stderr: '', wallClockMs: 5000, ...input });
const budget = { name: 'repos.r1.budgets.cost_usd.run', limit: 0.03, spent: 0.03, unit: 'usd' as const };

void t.test('a refusal for a reached cap makes the outcome budget_exceeded, whatever Claude did next', (t) => {
  t.equal(classifyOutcome({ exitCode: 1, timedOut: false, events: [], stderr: 'API Error: 403 permission_error', budgetExceeded: budget }), 'budget_exceeded');
  t.equal(classifyOutcome({ exitCode: 0, timedOut: false, events: [], stderr: '', budgetExceeded: budget }), 'budget_exceeded', 'even an exit 0');
  t.equal(classifyOutcome({ exitCode: undefined, timedOut: true, events: [], stderr: '', budgetExceeded: budget }), 'budget_exceeded', 'a timeout after it');
  t.equal(classifyOutcome({ exitCode: undefined, timedOut: false, events: [], stderr: '', proxyFailure: 'gone', budgetExceeded: budget }), 'proxy_failed', 'a dead proxy still wins');
  t.equal(classifyOutcome({ exitCode: 1, timedOut: false, events: [], stderr: 'API Error: 403' }), 'container_failed', 'without a refusal a 403 is no budget');
  t.end();
});

void t.test('the result carries the budget and a summary naming it and what to raise', (t) => {
  const result = buildExecutionResult(facts({ exitCode: 1, budgetExceeded: budget }));
  t.equal(result.outcome, 'budget_exceeded');
  t.strictSame(result.budget, budget);
  t.equal(result.isError, true);
  t.equal(result.responseText, '');
  t.equal(result.errorSummary, 'The run reached its budget repos.r1.budgets.cost_usd.run: $0.0300 spent of $0.0300, so the proxy refused further Messages API calls. Raise repos.r1.budgets.cost_usd.run to allow more.');
  t.equal(describeBudget({ name: '--budget-usd', limit: 2, spent: 2.5, unit: 'usd' }),
    'The run reached its budget --budget-usd: $2.50 spent of $2.00, so the proxy refused further Messages API calls. Raise the --budget-usd flag to allow more.');
  t.match(describeBudget({ name: 'repos.r1.budgets.egress_bytes', limit: 1000, spent: 1200, unit: 'bytes' }), /1200 bytes spent of 1000 bytes, so the proxy refused further requests/);
  t.equal(buildExecutionResult(facts({})).budget, undefined);
  t.end();
});
