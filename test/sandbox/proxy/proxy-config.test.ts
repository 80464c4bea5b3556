import t from 'tap';
import { parseProxyConfig } from '../../../src/sandbox/proxy/index.js';

const base = {
  proxy_ip: '10.199.1.100',
  allowlist: { domains: ['a.test'], url_prefixes: [] },
  ca_cert_file: '/ca.pem',
  ca_key_file: '/ca-key.pem',
  log_file: '/log',
};

void t.test('defaults: production ports, all interfaces, no secrets, system resolver', (t) => {
  const config = parseProxyConfig(base, 'cfg.json');
  t.match(config, {
    listenAddress: '0.0.0.0', httpPort: 80, httpsPort: 443, dnsPort: 53, dnsTtl: 60, proxyIp: '10.199.1.100',
    secretsFile: undefined, upstreamDns: undefined, upstreamCaFile: undefined, upstreamPorts: { http: 80, https: 443 },
  });
  t.equal(config.allowlist.domains[0]?.host, 'a.test');
  t.end();
});

void t.test('the host\'s config (null for absent optional values) is accepted', (t) => {
  const config = parseProxyConfig({
    ...base, listen_address: '0.0.0.0', http_port: 80, https_port: 443, dns_port: 53, secrets_file: '/run/airut/task/secrets.json',
    upstream_hosts: { 'API.Example.test.': '192.0.2.1' }, upstream_dns: null, upstream_ca_file: null,
  }, 'cfg.json');
  t.equal(config.secretsFile, '/run/airut/task/secrets.json');
  t.same([...config.upstreamHosts], [['api.example.test', '192.0.2.1']], 'host keys are normalised');
  t.end();
});

const bad: [string, Record<string, unknown>, RegExp][] = [
  ['unknown key', { ...base, http_prot: 80 }, /http_prot is not a known key/],
  ['bad port', { ...base, https_port: 70000 }, /https_port must be a port number 0-65535, got 70000/],
  ['IPv6 answer', { ...base, proxy_ip: '::1' }, /proxy_ip must be an IPv4 address, got "::1"/],
  ['no allowlist', { ...base, allowlist: undefined }, /allowlist is missing/],
  ['an allowlist file', { ...base, allowlist_file: '/x' }, /allowlist_file is not a known key/],
  ['bad upstream host', { ...base, upstream_hosts: { 'a.test': 'not-an-ip' } }, /upstream_hosts\.a\.test must be an IP address, got "not-an-ip"/],
  ['bad resolver', { ...base, upstream_dns: 'dns.google' }, /upstream_dns must be an IP address or IPv4:port/],
  ['bad resolver port', { ...base, upstream_dns: '127.0.0.1:0' }, /upstream_dns must be an IP address or IPv4:port/],
  ['upstream port 0', { ...base, upstream_ports: { https: 0 } }, /upstream_ports must not be 0/],
  ['not an object', [] as unknown as Record<string, unknown>, /must be a JSON object/],
];
for (const [name, value, message] of bad) {
  void t.test(`refused: ${name}`, (t) => {
    t.throws(() => parseProxyConfig(value, 'cfg.json'), { code: 'PROXY_CONFIG_INVALID', message });
    t.end();
  });
}
