import t from 'tap';
import { startDashboard, type HoldAnswerResult, type HoldView } from '../../../src/core/dashboard/index.js';
import { MemorySource } from './memory-source.js';

t.test('held requests: listed per task; answered by POST from the same origin only; unknown ids and bad bodies named', async (t) => {
  const source = new MemorySource();
  source.add('abc123', { state: 'running' });
  const waiting = new Map<string, HoldView>([['h1', { holdId: 'h1', method: 'GET', host: 'pkgs.test', path: '/simple/x', expiresAt: new Date(60_000).toISOString() }]]);
  const answers: string[] = [];
  Object.assign(source, {
    holds: (taskId: string): HoldView[] => taskId === 'abc123' ? [...waiting.values()] : [],
    answerHold: (taskId: string, holdId: string, allow: boolean): HoldAnswerResult => {
      answers.push(`${taskId}/${holdId}=${allow}`);
      if (!waiting.has(holdId)) return answers.filter((a) => a.startsWith(`${taskId}/${holdId}=`)).length > 1 ? 'already-decided' : 'unknown';
      waiting.delete(holdId);
      return 'decided';
    },
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const { url } = dashboard;
  const same = { 'X-Airut-Request': '1', Origin: url, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
  const post = (path: string, body: unknown, headers: Record<string, string> = same): Promise<Response> =>
    fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

  const listed = await fetch(`${url}/api/tasks/abc123/holds`);
  t.equal(listed.status, 200);
  t.same(await listed.json(), { taskId: 'abc123', holds: [{ holdId: 'h1', method: 'GET', host: 'pkgs.test', path: '/simple/x', expiresAt: new Date(60_000).toISOString() }] });
  t.equal((await fetch(`${url}/api/tasks/ffffff/holds`)).status, 404, 'an unknown task has no holds to list');

  t.equal((await fetch(`${url}/api/tasks/abc123/holds/h1`)).status, 405, 'GET does not answer');
  t.equal((await post('/api/tasks/abc123/holds/h1', { allow: true }, { 'Content-Type': 'application/json' })).status, 403, 'no custom header');
  const crossOrigin = await post('/api/tasks/abc123/holds/h1', { allow: true }, { 'X-Airut-Request': '1', Origin: 'http://evil.example' });
  t.equal(crossOrigin.status, 403, 'another origin');
  t.match(await crossOrigin.json(), { error: 'csrf' });
  t.equal((await post('/api/tasks/abc123/holds/h1', { allow: true }, { 'X-Airut-Request': '1', 'Sec-Fetch-Site': 'cross-site' })).status, 403, 'cross-site');
  t.same(answers, [], 'refused requests answered nothing');

  const bad = await post('/api/tasks/abc123/holds/h1', { allow: 'yes' });
  t.equal(bad.status, 400);
  t.match(await bad.json(), { error: 'bad_request', message: /"allow" must be true or false, got "yes"/ });
  const notJson = await fetch(`${url}/api/tasks/abc123/holds/h1`, { method: 'POST', headers: same, body: '{' });
  t.equal(notJson.status, 400);
  t.match(await notJson.json(), { message: /not JSON/ });
  t.same(answers, [], 'bad bodies answered nothing');

  const unknownTask = await post('/api/tasks/ffffff/holds/h1', { allow: true });
  t.equal(unknownTask.status, 404);
  t.match(await unknownTask.json(), { error: 'task_not_found', message: /"ffffff"/ });

  const ok = await post('/api/tasks/abc123/holds/h1', { allow: true });
  t.equal(ok.status, 200);
  t.same(await ok.json(), { taskId: 'abc123', holdId: 'h1', allow: true, result: 'decided' });
  t.same(((await (await fetch(`${url}/api/tasks/abc123/holds`)).json()) as { holds: unknown[] }).holds, [], 'an answered hold no longer waits');

  const again = await post('/api/tasks/abc123/holds/h1', { allow: false });
  t.equal(again.status, 409, 'a second answer is too late');
  const unknownHold = await post('/api/tasks/abc123/holds/h9', { allow: false });
  t.equal(unknownHold.status, 404);
  t.match(await unknownHold.json(), { error: 'hold_not_found', message: /"h9"/ });
  t.same(answers, ['abc123/h1=true', 'abc123/h1=false', 'abc123/h9=false']);
});

t.test('the task page has the holds prompt, and its script module is served', async (t) => {
  const source = new MemorySource();
  source.add('abc123', { state: 'running' });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  t.match(await (await fetch(`${dashboard.url}/tasks/abc123`)).text(), /<ol id="holds"/);
  const script = await fetch(`${dashboard.url}/static/task-holds.js`);
  t.equal(script.status, 200, 'the module task-page.js imports is served');
  t.match(await script.text(), /\/holds\//);
});
