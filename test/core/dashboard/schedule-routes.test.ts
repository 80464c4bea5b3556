import t from 'tap';
import { startDashboard, type RunScheduleResult } from '../../../src/core/dashboard/index.js';
import { MemorySource } from './memory-source.js';

t.test('Run now: POST with the custom header from the same origin only; outcomes map to status codes', async (t) => {
  const source = new MemorySource();
  const asked: string[] = [];
  const answers: Record<string, RunScheduleResult> = { nightly: 'started', busy: 'running', gone: 'stopped' };
  Object.assign(source, {
    runSchedule: (repoId: string, name: string): Promise<RunScheduleResult> => {
      asked.push(`${repoId}/${name}`);
      return Promise.resolve(answers[name] ?? 'unknown');
    },
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const { url } = dashboard;
  const runUrl = (name: string): string => `${url}/api/repos/web/schedules/${name}/run`;
  const same = { 'X-Airut-Request': '1', Origin: url, 'Sec-Fetch-Site': 'same-origin' };

  t.equal((await fetch(runUrl('nightly'))).status, 405, 'GET is refused');
  t.equal((await fetch(runUrl('nightly'), { method: 'POST' })).status, 403, 'no custom header');
  t.equal((await fetch(runUrl('nightly'), { method: 'POST', headers: { 'X-Airut-Request': '1', Origin: 'http://evil.example' } })).status, 403, 'another origin');
  t.equal((await fetch(runUrl('nightly'), { method: 'POST', headers: { 'X-Airut-Request': '1', 'Sec-Fetch-Site': 'cross-site' } })).status, 403, 'cross-site');
  t.same(asked, [], 'refused requests ran nothing');

  const ok = await fetch(runUrl('nightly'), { method: 'POST', headers: same });
  t.equal(ok.status, 202);
  t.same(await ok.json(), { repoId: 'web', name: 'nightly', result: 'started' });
  t.equal((await fetch(runUrl('busy'), { method: 'POST', headers: same })).status, 409);
  t.equal((await fetch(runUrl('gone'), { method: 'POST', headers: same })).status, 409);
  const unknown = await fetch(runUrl('nope'), { method: 'POST', headers: same });
  t.equal(unknown.status, 404);
  t.match(await unknown.json(), { error: 'schedule_not_found' });
  t.equal((await fetch(runUrl('a%2F..%2Fb'), { method: 'POST', headers: same })).status, 404, 'a name no schedule can have');
  t.same(asked, ['web/nightly', 'web/busy', 'web/gone', 'web/nope']);
});
