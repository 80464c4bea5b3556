import t from 'tap';
import { Allowlist } from '../../../src/sandbox/network/allowlist/index.js';
import { proxyProgramConfig } from '../../../src/sandbox/network/proxy-config.js';
import { proxyRunArgs } from '../../../src/sandbox/network/proxy-container.js';
import { parseProxyConfig } from '../../../src/sandbox/proxy/index.js';

void t.test('the config the host writes is the config the proxy program accepts', (t) => {
  const allowlist = new Allowlist('test', { domains: ['allowed.test'], url_prefixes: [{ host: 'api.test', path: '/v1/*', methods: ['GET'] }] });
  const written = proxyProgramConfig({
    proxyIp: '10.199.7.2', allowlist: allowlist.toJSON(), upstreamHosts: { 'Allowed.test': '10.89.0.5' }, upstreamDns: '10.89.0.53', hasUpstreamCa: true,
  });
  const read = parseProxyConfig(JSON.parse(JSON.stringify(written)), 'proxy-config.json');
  t.equal(read.proxyIp, '10.199.7.2');
  t.same({ http: read.httpPort, https: read.httpsPort, dns: read.dnsPort }, { http: 80, https: 443, dns: 53 });
  t.same(read.allowlist.toJSON(), allowlist.toJSON());
  t.same([...read.upstreamHosts], [['allowed.test', '10.89.0.5']]);
  t.equal(read.upstreamDns, '10.89.0.53');
  t.equal(read.upstreamCaFile, '/run/airut/upstream-ca.pem');
  t.equal(read.secretsFile, '/run/airut/task/secrets.json');
  t.equal(read.logFile, '/run/airut/network-sandbox.log');

  const bare = parseProxyConfig(JSON.parse(JSON.stringify(proxyProgramConfig({ proxyIp: '10.199.7.2', allowlist: allowlist.toJSON(), hasUpstreamCa: false }))), 'x');
  t.equal(bare.upstreamDns, undefined);
  t.equal(bare.upstreamCaFile, undefined);
  t.end();
});

void t.test('the proxy container is dual-homed, read-only, without capabilities but port binding, and gets the key only here', (t) => {
  const args = proxyRunArgs({
    name: 'p', image: 'img', labelArgs: ['--label', 'a=b'], egressNetwork: 'egress', taskNetwork: 'net', proxyIp: '10.199.7.2',
    packageRoot: '/pkg', taskDir: '/tmp/task', caCertPath: '/ca/cert.pem', caKeyPath: '/ca/key.pem', networkLogPath: '/ctx/network-sandbox.log',
  });
  const text = args.join(' ');
  t.match(text, '--network egress --network net:ip=10.199.7.2');
  t.match(text, '--read-only');
  t.match(text, '--cap-drop ALL --cap-add NET_BIND_SERVICE');
  t.match(text, '--sysctl net.ipv4.ip_forward=0');
  t.match(text, '-v /pkg:/opt/airut:ro');
  t.match(text, '-v /ca/key.pem:/run/airut/ca/ca-key.pem:ro');
  t.match(text, '-v /ctx/network-sandbox.log:/run/airut/network-sandbox.log:rw');
  t.notMatch(text, 'upstream-ca');
  t.same(args.slice(-5), ['img', '--max-semi-space-size=2', '/opt/airut/dist/sandbox/proxy/main.js', '--config', '/run/airut/task/proxy-config.json']);
  t.end();
});
