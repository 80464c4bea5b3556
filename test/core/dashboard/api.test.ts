import t, { type Test } from 'tap';
import { startDashboard } from '../../../src/core/dashboard/index.js';
import { MemorySource } from './memory-source.js';
import { openStream } from './sse-client.js';

async function serve(t: Test, options: { maxPerClient?: number; heartbeatMs?: number; bufferSize?: number } = {}) {
  const source = new MemorySource();
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source, sse: options });
  t.teardown(() => dashboard.close());
  return { source, url: dashboard.url };
}

async function json(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

t.test('health counts tasks by state; version and status report the service', async (t) => {
  const { source, url } = await serve(t);
  source.add('aaaaaa000001', { state: 'running' });
  source.add('aaaaaa000002');
  const health = await fetch(`${url}/api/health`);
  t.equal(health.status, 200);
  t.match(await json(health), { status: 'ok', version: '9.9.9-test', problems: [], tasks: { queued: 1, running: 1, completed: 0, failed: 0 } });
  t.same(await json(await fetch(`${url}/api/version`)), { version: '9.9.9-test' });
  source.lastReloadError = 'airut.yaml:3: bad indentation';
  source.generation = 4;
  const status = await json(await fetch(`${url}/api/status`));
  t.match(status, { config: { generation: 4, fileHash: 'abc123', lastReloadError: 'airut.yaml:3: bad indentation' } });
});

t.test('tasks are listed and fetched one by one; unknown ids are 404', async (t) => {
  const { source, url } = await serve(t);
  source.add('bbbbbb000001', { title: 'Fix the tests' });
  const list = await json(await fetch(`${url}/api/tasks`));
  t.match(list, { tasks: [{ taskId: 'bbbbbb000001', title: 'Fix the tests', state: 'queued' }] });
  t.match(await json(await fetch(`${url}/api/tasks/bbbbbb000001`)), { taskId: 'bbbbbb000001' });
  const missing = await fetch(`${url}/api/tasks/ffffff000000`);
  t.equal(missing.status, 404);
  t.match(await json(missing), { error: 'task_not_found' });
  const junk = await fetch(`${url}/api/tasks/..%2Fetc`);
  t.equal(junk.status, 404);
});

t.test('stop needs POST with the custom header from the same origin', async (t) => {
  const { source, url } = await serve(t);
  source.add('cccccc000001', { state: 'running' });
  const stopUrl = `${url}/api/tasks/cccccc000001/stop`;

  const get = await fetch(stopUrl);
  t.equal(get.status, 405);
  const noHeader = await fetch(stopUrl, { method: 'POST' });
  t.equal(noHeader.status, 403);
  t.match(await json(noHeader), { error: 'csrf' });
  const crossOrigin = await fetch(stopUrl, { method: 'POST', headers: { 'X-Airut-Request': '1', Origin: 'http://evil.example' } });
  t.equal(crossOrigin.status, 403);
  t.match(await json(crossOrigin), { error: 'csrf', message: /evil\.example/ });
  const crossSite = await fetch(stopUrl, { method: 'POST', headers: { 'X-Airut-Request': '1', 'Sec-Fetch-Site': 'cross-site' } });
  t.equal(crossSite.status, 403);
  t.same(source.stopped, [], 'nothing was stopped by refused requests');

  const ok = await fetch(stopUrl, { method: 'POST', headers: { 'X-Airut-Request': '1', Origin: url, 'Sec-Fetch-Site': 'same-origin' } });
  t.equal(ok.status, 202);
  t.same(await json(ok), { taskId: 'cccccc000001', result: 'stopping' });
  t.same(source.stopped, ['cccccc000001']);

  const again = await fetch(stopUrl, { method: 'POST', headers: { 'X-Airut-Request': '1' } });
  t.equal(again.status, 409);
  const unknown = await fetch(`${url}/api/tasks/dddddd000001/stop`, { method: 'POST', headers: { 'X-Airut-Request': '1' } });
  t.equal(unknown.status, 404);
});

t.test('a Host the dashboard is not served as is refused (DNS rebinding)', async (t) => {
  const { url } = await serve(t);
  const port = new URL(url).port;
  const stream = await openStream(`${url}/api/health`, { Host: `attacker.example:${port}` });
  t.teardown(() => stream.close());
  t.equal(stream.response.statusCode, 421);
  const local = await openStream(`${url}/api/health`, { Host: `localhost:${port}` });
  t.teardown(() => local.close());
  t.equal(local.response.statusCode, 200);
});

t.test('the event stream delivers task changes and resumes after Last-Event-ID', async (t) => {
  const { source, url } = await serve(t);
  const first = await openStream(`${url}/api/events`);
  t.teardown(() => first.close());
  t.equal(first.response.statusCode, 200);
  t.match(first.response.headers['content-type'], /^text\/event-stream/);
  t.match(first.response.headers['content-security-policy'], /default-src 'none'/);
  source.add('eeeeee000001');
  const seen = await first.waitFor(/event: counts/);
  const id = /id: (\d+)\nevent: task/.exec(seen)?.[1];
  t.ok(id, 'task event has an id');
  first.close();

  source.update('eeeeee000001', { state: 'running' });
  const resumed = await openStream(`${url}/api/events`, { 'Last-Event-ID': String(id) });
  t.teardown(() => resumed.close());
  const replay = await resumed.waitFor(/"state":"running"/);
  t.notMatch(replay, /"state":"queued"/, 'events up to Last-Event-ID are not replayed');
});

t.test('a client too far behind the buffer is told to reset', async (t) => {
  const { source, url } = await serve(t, { bufferSize: 2 });
  for (let i = 1; i <= 4; i++) source.add(`ffffff00000${i}`);
  const stream = await openStream(`${url}/api/events`, { 'Last-Event-ID': '1' });
  t.teardown(() => stream.close());
  t.match(await stream.waitFor(/event: reset/), /missed events/);
});

t.test('a task filter passes only that task\'s events', async (t) => {
  const { source, url } = await serve(t);
  const stream = await openStream(`${url}/api/events?task=abcdef000002&lastEventId=0`);
  t.teardown(() => stream.close());
  source.add('abcdef000001');
  source.add('abcdef000002');
  source.emit({ type: 'run', taskId: 'abcdef000002', conversationId: 'c0ffee00', event: { type: 'warning', message: 'done' } });
  const text = await stream.waitFor(/"message":"done"/);
  t.notMatch(text, /abcdef000001/);
});

t.test('heartbeats keep an idle stream alive', async (t) => {
  const { url } = await serve(t, { heartbeatMs: 20 });
  const stream = await openStream(`${url}/api/events`);
  t.teardown(() => stream.close());
  t.match(await stream.waitFor(/: heartbeat\n\n/), /: heartbeat/);
});

t.test('streams beyond the per-client cap get 429 with Retry-After', async (t) => {
  const { url } = await serve(t, { maxPerClient: 2 });
  const a = await openStream(`${url}/api/events`);
  t.teardown(() => a.close());
  const b = await openStream(`${url}/api/events`);
  t.teardown(() => b.close());
  const c = await openStream(`${url}/api/events`);
  t.teardown(() => c.close());
  t.equal(c.response.statusCode, 429);
  t.equal(c.response.headers['retry-after'], '5');
  a.close();
  // The server learns of the close a moment after the client; each refused attempt is a full round trip, not a sleep.
  let status = 0;
  for (let attempt = 0; attempt < 500 && status !== 200; attempt++) {
    const d = await openStream(`${url}/api/events`);
    t.teardown(() => d.close());
    status = d.response.statusCode ?? 0;
    if (status !== 200) d.close();
  }
  t.equal(status, 200, 'a closed stream frees its slot');
});
