import t from 'tap';
import { send, startTestProxy, startUpstream } from './proxy-harness.js';

// The proxy reads the conversation's approvals beside the repository's
// entries (the task file's allowlist.approvals), lets exactly those through
// and marks their access lines with who approved them.

void t.test('a request allowed by a conversation approval is marked in the log line and the access record', async (t) => {
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, {
    httpsPort: upstream.port,
    allowlist: {
      domains: [],
      url_prefixes: [{ host: 'other.test', path: '/repo/*', methods: ['GET'] }],
      approvals: [{ method: 'GET', host: 'allowed.test', path_prefix: '/simple/x', approved_by: 'Ada <ada@example.com>', expires_at: '2030-01-01T00:00:00.000Z' }],
    },
  });

  t.equal((await send(tp, { host: 'allowed.test', path: '/simple/x?page=2' })).status, 200);
  t.equal((await send(tp, { host: 'allowed.test', path: '/simple/xyz' })).status, 403);
  t.equal((await send(tp, { host: 'allowed.test', path: '/simple/x', method: 'POST', body: 'x' })).status, 403);
  t.equal((await send(tp, { host: 'other.test', path: '/repo/a' })).status, 200);
  await tp.nextEvent((e) => e.access?.path === '/repo/a');

  const lines = tp.events.filter((e) => e.access !== undefined);
  t.strictSame(lines.map((e) => [e.access?.allowed, e.access?.method, e.access?.path, e.access?.approved_by]), [
    [true, 'GET', '/simple/x?page=2', 'Ada <ada@example.com>'],
    [false, 'GET', '/simple/xyz', undefined],
    [false, 'POST', '/simple/x', undefined],
    [true, 'GET', '/repo/a', undefined],
  ]);
  t.match(lines[0]?.line, /^ALLOWED GET https:\/\/allowed\.test\/simple\/x\?page=2 -> 200 \[approved by: Ada <ada@example\.com>\]/);
  t.notMatch(lines[3]?.line, /approved/, "a request the repository's entry allowed is not marked");
  t.strictSame(upstream.seen.map((s) => `${s.method} ${s.url}`), ['GET /simple/x?page=2', 'GET /repo/a']);
});
