import t from 'tap';
import { parseProxyEvent } from '../../../src/sandbox/proxy/index.js';

void t.test('stdout events round-trip; anything else is not an event', (t) => {
  const log = { event: 'log', kind: 'BLOCKED', level: 'warn', line: 'BLOCKED GET https://x.test/ -> 403', time: '2026-01-01T00:00:00.000Z' };
  t.same(parseProxyEvent(JSON.stringify({ ...log, future_field: 1 })), log);
  t.same(parseProxyEvent('{"event":"ready","http_port":80,"https_port":443,"dns_port":53}'), { event: 'ready', http_port: 80, https_port: 443, dns_port: 53 });
  t.same(parseProxyEvent('{"event":"fatal","code":"PROXY_LISTEN_FAILED","message":"m"}'), { event: 'fatal', code: 'PROXY_LISTEN_FAILED', message: 'm', hint: null });
  for (const line of ['', 'not json', '[]', 'null', '{"event":"log","kind":"NOPE","level":"info","line":"x","time":"t"}', '{"event":"ready","http_port":-1,"https_port":1,"dns_port":1}', '{"event":"other"}']) {
    t.equal(parseProxyEvent(line), undefined, JSON.stringify(line));
  }
  t.end();
});
