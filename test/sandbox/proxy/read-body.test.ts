import t, { type Test } from 'tap';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { BodyBudget, contentCodings, decodeBody, readBodyCapped, type UnreadBody } from '../../../src/sandbox/proxy/read-body.js';

/** Sends `body` to a real local server whose handler reads it with `readBodyCapped`; resolves with what that returned. */
async function readVia(t: Test, body: Buffer, limit: number, budget: BodyBudget): Promise<Buffer | UnreadBody> {
  let result: Promise<Buffer | UnreadBody> | undefined;
  const server = createServer((req: IncomingMessage, res) => {
    result = readBodyCapped(req, limit, budget);
    void result.then(() => res.end('done'), () => res.end('gone'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST', agent: false });
  req.on('error', () => undefined);
  req.end(body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  return (result as Promise<Buffer | UnreadBody>);
}

void t.test('a body within the cap and the budget is read whole and held until released', async (t) => {
  const budget = new BodyBudget(10_000);
  const body = Buffer.alloc(5000, 7);
  const got = await readVia(t, body, 8000, budget);
  t.ok(Buffer.isBuffer(got) && got.equals(body));
  t.notOk(budget.take(5001), 'the read bytes are still held');
  budget.release(5000);
  t.ok(budget.take(10_000), 'released, the whole budget is free again');
});

void t.test('over the cap: too-large; over the shared budget: busy; nothing is held afterwards', async (t) => {
  const budget = new BodyBudget(10_000);
  t.equal(await readVia(t, Buffer.alloc(9000), 8000, budget), 'too-large');
  t.ok(budget.take(10_000), 'a refused body holds nothing');
  budget.release(10_000);
  t.ok(budget.take(6000), 'another request holds 6000 bytes');
  t.equal(await readVia(t, Buffer.alloc(5000), 8000, budget), 'busy');
  budget.release(6000);
  t.ok(budget.take(10_000), 'the busy read gave back what it had taken');
});

void t.test('content codings are read from every header, identity dropped, and undone in reverse order within the limit', (t) => {
  t.same(contentCodings(['Content-Encoding', 'identity', 'X', 'y', 'content-encoding', 'GZIP, br ']), ['gzip', 'br']);
  const text = Buffer.from('{"a":1}');
  t.ok(decodeBody(gzipSync(gzipSync(text)), ['gzip', 'x-gzip'], 100).equals(text));
  t.throws(() => decodeBody(gzipSync(Buffer.alloc(1000)), ['gzip'], 999), { name: 'BodyTooLarge' });
  t.throws(() => decodeBody(text, ['compress'], 100), { name: 'UnsupportedEncoding' });
  t.throws(() => decodeBody(text, ['gzip'], 100));
  t.end();
});
