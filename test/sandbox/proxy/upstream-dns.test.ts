import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkLog } from '../../../src/sandbox/proxy/network-log.js';
import { startDnsResponder } from '../../../src/sandbox/proxy/dns-responder.js';
import { send, START, startTestProxy, startUpstream } from './proxy-harness.js';

void t.test('a name not in upstream_hosts is resolved through upstream_dns', async (t) => {
  // A test resolver on loopback that answers every A query with 127.0.0.1.
  const dir = t.testdir();
  const resolverLog = new NetworkLog(join(dir, 'resolver.log'));
  t.teardown(() => resolverLog.close());
  const resolver = await startDnsResponder({ address: '127.0.0.1', port: 0, answer: '127.0.0.1', ttl: 1, log: resolverLog });
  t.teardown(() => resolver.close());
  const upstream = await startUpstream(t);
  const tp = await startTestProxy(t, {
    allowlist: { domains: ['allowed.test'], url_prefixes: [] },
    httpsPort: upstream.port,
    // No static entries: allowed.test must come from the resolver.
    extra: { upstream_dns: `127.0.0.1:${resolver.port}`, upstream_hosts: {} },
  });
  const res = await send(tp, { host: 'allowed.test', path: '/r' });
  t.equal(res.status, 200);
  t.equal(upstream.seen[0]?.headers.host, `allowed.test:${tp.proxy.ports.https}`);
  t.match(readFileSync(join(dir, 'resolver.log'), 'utf8'), /^DNS A allowed\.test -> 127\.0\.0\.1$/m, 'the proxy asked the configured resolver');
  t.equal(tp.logText(), `${START}ALLOWED GET https://allowed.test/r -> 200 [down: ${Buffer.byteLength(res.body)}]\n`);
});
