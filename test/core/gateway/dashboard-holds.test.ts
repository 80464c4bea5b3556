import t from 'tap';
import { TaskTracker } from '../../../src/core/gateway/index.js';
import { gatewaySource } from '../../../src/core/gateway/dashboard-source.js';
import { holdPlaces } from '../../../src/core/gateway/hold-places.js';
import { HoldRouter } from '../../../src/core/gateway/hold-router.js';
import { Logger } from '../../../src/core/log/index.js';
import type { IncomingMessage } from '../../../src/core/channels/index.js';
import type { RunEvent } from '../../../src/core/pipeline/index.js';

// The dashboard as a place that may answer holds: an email task is asked
// there while the dashboard is on, and its answer goes to the task's proxy
// through the repo's router, first answer winning.

const hold = (id: string): Extract<RunEvent, { type: 'hold' }> => ({ type: 'hold', contextId: 'ctx-1', event: { event: 'hold', id, method: 'GET', host: 'pkgs.test', path: '/simple/x', expires_in_ms: 30_000 } });
const email = { channel: 'email', messageId: '<m1@example.test>' } as IncomingMessage;

t.test('an email task is asked on the dashboard only while it is on', (t) => {
  const router = new HoldRouter({ decide: () => true, log: new Logger(() => undefined) });
  let on = false;
  const places = holdPlaces(router, undefined, new Logger(() => undefined), () => on);
  t.same(places.askersFor(email, 't1'), [], 'dashboard off: nobody to ask, the hold is denied at once');
  on = true;
  t.equal(places.askersFor(email, 't1').length, 1, 'dashboard on: the dashboard asks');
  t.end();
});

t.test('the gateway source lists a task\'s waiting holds and sends the dashboard\'s answer to the proxy once', (t) => {
  const decided: string[] = [];
  const router = new HoldRouter({ decide: (contextId, holdId, allow) => { decided.push(`${contextId}/${holdId}=${allow}`); return true; }, log: new Logger(() => undefined), now: () => new Date(0) });
  const tracker = new TaskTracker();
  const taskId = tracker.add({ repoId: 'web', conversationId: undefined, title: 'x', sender: 'a@example.test', messageId: '<m1@example.test>' });
  const other = tracker.add({ repoId: 'api', conversationId: undefined, title: 'y', sender: 'a@example.test', messageId: '<m2@example.test>' });
  const { source } = gatewaySource({
    version: 'test', tracker, config: () => ({ path: '/x', exists: false, hash: '' }), repos: () => [],
    holdRouter: (repoId) => repoId === 'web' ? router : undefined,
  });
  const places = holdPlaces(router, undefined, new Logger(() => undefined), () => true);
  router.onRunEvent(taskId, hold('h1'), places.askersFor(email, taskId));

  t.same(source.holds?.(taskId), [{ holdId: 'h1', method: 'GET', host: 'pkgs.test', path: '/simple/x', expiresAt: new Date(30_000).toISOString() }]);
  t.same(source.holds?.(other), [], 'a task of a repo without holds has none');
  t.equal(source.answerHold?.(other, 'h1', true), 'unknown', 'another task cannot answer it');
  t.equal(source.answerHold?.('ffffffffffff', 'h1', true), 'unknown', 'nor an unknown task');
  t.equal(source.answerHold?.(taskId, 'h9', true), 'unknown');
  t.same(decided, []);
  t.equal(source.answerHold?.(taskId, 'h1', true), 'decided');
  t.same(decided, ['ctx-1/h1=true'], 'the allow reached the task\'s proxy');
  t.equal(source.answerHold?.(taskId, 'h1', false), 'already-decided', 'a second answer is ignored');
  t.same(decided, ['ctx-1/h1=true']);
  t.same(source.holds?.(taskId), [], 'an answered hold no longer waits');
  t.end();
});
