import t from 'tap';
import { HoldRouter, type HoldAsker, type HoldQuestion, type HoldSettlement } from '../../../src/core/gateway/hold-router.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';

const NOW = new Date('2026-12-06T03:00:00Z');

/** A place that records what it was asked and told. */
function recordingAsker(): HoldAsker & { asked: HoldQuestion[]; settled: HoldSettlement[] } {
  const asked: HoldQuestion[] = [];
  const settled: HoldSettlement[] = [];
  return { asked, settled, ask: (q) => { asked.push(q); }, settle: (_q, s) => { settled.push(s); } };
}

function setUp(open = new Set(['ctx-1/h1', 'ctx-1/h2'])) {
  const sent: string[] = [];
  const logs: LogRecord[] = [];
  const router = new HoldRouter({
    // Like NetworkSandbox.decide: only a hold still open at the proxy takes an answer, once.
    decide: (contextId, holdId, allow) => {
      if (!open.delete(`${contextId}/${holdId}`)) return false;
      sent.push(`${contextId} ${holdId} ${allow}`);
      return true;
    },
    log: new Logger((r) => logs.push(r)),
    now: () => NOW,
  });
  const slack = recordingAsker();
  const dashboard = recordingAsker();
  const hold = (id: string, path = '/simple/x') => router.onRunEvent('task-1', { type: 'hold', contextId: 'ctx-1', event: { event: 'hold', id, method: 'GET', host: 'pkgs.test', path, expires_in_ms: 60_000 } }, [slack, dashboard]);
  const end = (id: string, outcome: 'allowed' | 'denied' | 'expired' | 'closed') => router.onRunEvent('task-1', { type: 'hold', contextId: 'ctx-1', event: { event: 'hold_end', id, outcome } }, [slack, dashboard]);
  return { router, sent, logs, slack, dashboard, hold, end };
}

void t.test('a hold is asked everywhere; the first answer wins and every place learns the outcome', async (t) => {
  const { router, sent, logs, slack, dashboard, hold, end } = setUp();
  hold('h1');
  t.same(slack.asked, [{ taskId: 'task-1', holdId: 'h1', method: 'GET', host: 'pkgs.test', path: '/simple/x', expiresAt: new Date(NOW.getTime() + 60_000) }]);
  t.same(dashboard.asked, slack.asked);
  t.same(router.waiting('task-1').map((q) => q.holdId), ['h1']);

  t.equal(router.answer('task-1', 'h1', true, 'alice'), 'decided');
  t.equal(router.answer('task-1', 'h1', false, 'dashboard'), 'already-decided', 'the second place is too late');
  t.same(sent, ['ctx-1 h1 true'], 'one answer reached the proxy');
  t.same(slack.settled, [{ outcome: 'allowed', by: 'alice' }]);
  t.same(dashboard.settled, [{ outcome: 'allowed', by: 'alice' }]);
  t.same(router.waiting('task-1'), []);
  t.ok(logs.some((r) => r.message === 'hold answer ignored: already answered'), 'the ignored answer is logged');

  end('h1', 'allowed');
  t.equal(slack.settled.length, 1, 'the proxy confirming the allow tells nobody twice');
});

void t.test('unknown ids, other tasks and answers after a timeout change nothing', async (t) => {
  const { router, sent, logs, slack, hold, end } = setUp();
  t.equal(router.answer('task-1', 'h1', true, 'alice'), 'unknown', 'before the hold is announced');
  hold('h1');
  t.equal(router.answer('task-2', 'h1', true, 'alice'), 'unknown', 'another task\'s hold with the same id');
  t.equal(router.answer('task-1', 'h9', true, 'alice'), 'unknown');
  end('h1', 'expired');
  t.same(slack.settled, [{ outcome: 'expired' }], 'the timeout is shown');
  t.equal(router.answer('task-1', 'h1', true, 'alice'), 'unknown', 'after the timeout');
  t.same(sent, [], 'nothing reached the proxy');
  t.equal(logs.filter((r) => r.message === 'hold answer ignored: no such hold is waiting').length, 4);
});

void t.test('an answer racing the proxy\'s timeout is not sent and not shown as decided', async (t) => {
  const { router, sent, slack, hold, end } = setUp(new Set());
  hold('h2');
  t.equal(router.answer('task-1', 'h2', true, 'alice'), 'already-decided');
  t.same(sent, []);
  t.same(slack.settled, [], 'only the proxy\'s hold_end says how it ended');
  end('h2', 'expired');
  t.same(slack.settled, [{ outcome: 'expired' }]);
});
