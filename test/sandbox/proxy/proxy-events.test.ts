import t from 'tap';
import { parseProxyEvent } from '../../../src/sandbox/proxy/index.js';

void t.test('stdout events round-trip; anything else is not an event', (t) => {
  const log = { event: 'log', kind: 'BLOCKED', level: 'warn', line: 'BLOCKED GET https://x.test/ -> 403', time: '2026-01-01T00:00:00.000Z' };
  t.same(parseProxyEvent(JSON.stringify({ ...log, future_field: 1 })), log);
  const access = { allowed: true, method: 'POST', scheme: 'https', host: 'a.test', path: '/x?y', status: 200, bytes_up: 12, bytes_down: 3400, credentials: ['GH_TOKEN'] };
  t.same(parseProxyEvent(JSON.stringify({ ...log, kind: 'ALLOWED', access: { ...access, later: true } })), { ...log, kind: 'ALLOWED', access }, 'an access record round-trips, unknown fields dropped');
  t.same(parseProxyEvent(JSON.stringify({ ...log, access: { ...access, status: 'x' } })), log, 'a malformed access record is left out, the line kept');
  const usage = { model: 'claude-sonnet-4-5', input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 3, cache_read_input_tokens: 4, cost_usd: null, method: 'POST', url: 'https://api.anthropic.com/v1/messages' };
  t.same(parseProxyEvent(JSON.stringify({ ...log, kind: 'USAGE', level: 'info', usage })), { ...log, kind: 'USAGE', level: 'info', usage });
  t.same(parseProxyEvent('{"event":"ready","http_port":80,"https_port":443,"dns_port":53}'), { event: 'ready', http_port: 80, https_port: 443, dns_port: 53 });
  t.same(parseProxyEvent('{"event":"fatal","code":"PROXY_LISTEN_FAILED","message":"m"}'), { event: 'fatal', code: 'PROXY_LISTEN_FAILED', message: 'm', hint: null });
  for (const line of ['', 'not json', '[]', 'null', '{"event":"log","kind":"NOPE","level":"info","line":"x","time":"t"}', '{"event":"ready","http_port":-1,"https_port":1,"dns_port":1}', '{"event":"other"}']) {
    t.equal(parseProxyEvent(line), undefined, JSON.stringify(line));
  }
  t.end();
});
