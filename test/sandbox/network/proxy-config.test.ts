import t from 'tap';
import { Allowlist } from '../../../src/sandbox/network/allowlist/index.js';
import { proxyProgramConfig, proxyTaskFile } from '../../../src/sandbox/network/proxy-config-file.js';
import { proxyRunArgs } from '../../../src/sandbox/network/proxy-container.js';
import { parseProxyConfig } from '../../../src/sandbox/proxy/index.js';
import { loadProxyTask } from '../../../src/sandbox/proxy/proxy-config.js';
import { tempDir } from './network-fixture.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

void t.test('the config the host writes is the config the proxy program accepts, and it allows nothing by itself', (t) => {
  const written = proxyProgramConfig({
    proxyIp: '10.199.7.2', upstreamHosts: { 'Allowed.test': '10.89.0.5' }, upstreamDns: '10.89.0.53', hasUpstreamCa: true,
  });
  const read = parseProxyConfig(JSON.parse(JSON.stringify(written)), 'proxy-config.json');
  t.equal(read.proxyIp, '10.199.7.2');
  t.same({ http: read.httpPort, https: read.httpsPort, dns: read.dnsPort }, { http: 80, https: 443, dns: 53 });
  t.same(read.allowlist.toJSON(), { domains: [], url_prefixes: [] }, 'the allowlist comes only with the task');
  t.equal(read.secretsFile, undefined, 'so do the secrets');
  t.same([...read.upstreamHosts], [['allowed.test', '10.89.0.5']]);
  t.equal(read.upstreamDns, '10.89.0.53');
  t.equal(read.upstreamCaFile, '/run/airut/upstream-ca.pem');
  t.equal(read.logFile, undefined, 'the host writes the network log from the proxy\'s events');

  const bare = parseProxyConfig(JSON.parse(JSON.stringify(proxyProgramConfig({ proxyIp: '10.199.7.2', hasUpstreamCa: false }))), 'x');
  t.equal(bare.upstreamDns, undefined);
  t.equal(bare.upstreamCaFile, undefined);
  t.end();
});

void t.test('the task file the host writes is the one the proxy program reads at start', async (t) => {
  const allowlist = new Allowlist('test', { domains: ['allowed.test'], url_prefixes: [{ host: 'api.test', path: '/v1/*', methods: ['GET'] }] });
  const dir = await tempDir(t, 'task-file');
  const path = join(dir, 'task.json');
  await writeFile(path, JSON.stringify(proxyTaskFile(allowlist.toJSON())));
  const task = loadProxyTask(path);
  t.same(task.allowlist.toJSON(), allowlist.toJSON());
  t.equal(task.secretsFile, '/run/airut/task/secrets.json');

  await writeFile(path, JSON.stringify({ allowlist: { domains: [] }, secrets_file: null, extra: 1 }));
  t.throws(() => loadProxyTask(path), { code: 'PROXY_CONFIG_INVALID', message: /extra is not a known key/ });
  await writeFile(path, JSON.stringify({ secrets_file: null }));
  t.throws(() => loadProxyTask(path), { code: 'PROXY_CONFIG_INVALID', message: /allowlist is missing/ });
  t.throws(() => loadProxyTask(join(dir, 'missing.json')), { code: 'PROXY_CONFIG_UNREADABLE' });
});

void t.test('the proxy container is dual-homed, read-only, without capabilities but port binding, gets the key only here, and waits for its task', (t) => {
  const args = proxyRunArgs({
    name: 'p', image: 'img', labelArgs: ['--label', 'a=b'], egressNetwork: 'egress', taskNetwork: 'net', proxyIp: '10.199.7.2',
    packageRoot: '/pkg', taskDir: '/tmp/task', caCertPath: '/ca/cert.pem', caKeyPath: '/ca/key.pem',
  });
  const text = args.join(' ');
  t.match(text, '--network egress --network net:ip=10.199.7.2');
  t.match(text, '--read-only');
  t.match(text, '--cap-drop ALL --cap-add NET_BIND_SERVICE');
  t.match(text, '--sysctl net.ipv4.ip_forward=0');
  t.match(text, '-v /pkg:/opt/airut:ro');
  t.match(text, '-v /tmp/task:/run/airut/task:ro');
  t.match(text, '-v /ca/key.pem:/run/airut/ca/ca-key.pem:ro');
  t.notMatch(text, ':rw', 'nothing of the host is writable for the proxy');
  t.notMatch(text, 'upstream-ca');
  t.ok(args.includes('-i'), 'stdin attached: start and stop go through it');
  t.same(args.slice(-7), [
    'img', '--max-semi-space-size=1', '/opt/airut/dist/sandbox/proxy/main.js',
    '--config', '/run/airut/task/proxy-config.json', '--await-task', '/run/airut/task/task.json',
  ]);
  t.end();
});
