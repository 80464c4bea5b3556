import { createServer } from 'node:http';
import t, { type Test } from 'tap';
import { readTasksInFlight, waitUntilIdle } from '../../../src/core/installation/index.js';

/** A local /api/health answering the bodies in `answers` in turn (the last one repeats). */
async function health(t: Test, answers: string[]): Promise<string> {
  let served = 0;
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(answers[Math.min(served++, answers.length - 1)]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

t.test('counts running and queued tasks; missing keys are 0; anything else is no service', async (t) => {
  t.same(await readTasksInFlight(await health(t, ['{"status":"ok","tasks":{"queued":2,"running":1,"completed":5,"failed":0}}'])), { running: 1, queued: 2 });
  t.same(await readTasksInFlight(await health(t, ['{"tasks":{}}'])), { running: 0, queued: 0 });
  t.equal(await readTasksInFlight(await health(t, ['{"tasks":{"running":"1"}}'])), undefined);
  t.equal(await readTasksInFlight(await health(t, ['not json'])), undefined);
  const closed = await health(t, ['{}']);
  t.equal(await readTasksInFlight(closed.replace(/:\d+$/, ':1')), undefined, 'nothing listening');
});

t.test('waits with a doubling pause until the service is idle', async (t) => {
  const url = await health(t, [
    '{"tasks":{"running":1,"queued":1}}',
    '{"tasks":{"running":1,"queued":0}}',
    '{"tasks":{"running":0,"queued":0}}',
  ]);
  const pauses: number[] = [];
  const lines: string[] = [];
  await waitUntilIdle(url, {
    sleep: (ms) => { pauses.push(ms); return Promise.resolve(); },
    firstDelayMs: 1_000,
    maxDelayMs: 3_000,
    report: (line) => lines.push(line),
  });
  t.same(pauses, [1_000, 2_000, 3_000]);
  t.same(lines, ['Still waiting: 1 running, 1 queued.', 'Still waiting: 1 running, 0 queued.']);
});

t.test('a service answering 503 (every repo failed) still reports its tasks; other errors are no service', async (t) => {
  const serve = async (status: number): Promise<string> => {
    const server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end('{"status":"error","problems":[{"repo":"a","kind":"repo_failed","reason":"x"}],"tasks":{"queued":0,"running":2}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  };
  t.same(await readTasksInFlight(await serve(503)), { running: 2, queued: 0 });
  t.equal(await readTasksInFlight(await serve(500)), undefined);
});
