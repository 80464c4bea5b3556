import t, { type Test } from 'tap';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { testRuntime } from '../../harness/podman.js';
import { leftovers, runInTask, startRealTopology } from './network-fixture.js';

// The escape suite: a task container behind the real proxy tries every way
// out we know of. Each attempt aims only at things this test created (its own
// networks, fake upstream, proxy and host services) and must fail; attempts
// that reach the proxy must show up in the network log. Run on its own with
// `npx tap test/sandbox/network/escape-suite.test.ts`; the summary line reads
// `tried N, escaped 0`.

const runtime = testRuntime();
const HOST_TOKEN = 'host-service-reached';

/** One way out: a shell snippet run in the task container, and how to tell it worked. */
interface Attempt {
  name: string;
  script: string;
  escaped: (output: string) => boolean;
}

async function hostService(t: Test, host: '::' | '0.0.0.0'): Promise<{ port: number; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((socket) => {
    hits++;
    socket.on('error', () => undefined);
    socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${HOST_TOKEN.length}\r\nConnection: close\r\n\r\n${HOST_TOKEN}`);
  });
  server.listen(0, host);
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); }));
  return { port: (server.address() as AddressInfo).port, hits: () => hits };
}

const reachedUpstream = (out: string): boolean => out.includes('"upstream":"fake"');
const reachedHost = (out: string): boolean => out.includes(HOST_TOKEN);
const dnsAnswered = (out: string): boolean => /status: NOERROR/.test(out) && /ANSWER SECTION/.test(out);
const connected = (out: string): boolean => /succeeded|open/i.test(out);

void t.test('escape suite', async (t) => {
  const topo = await startRealTopology(t, runtime, {
    allowlist: { domains: ['allowed.test'], url_prefixes: [{ host: 'api.anthropic.com', path: '/v1/messages*', methods: ['POST'] }] },
    hosts: ['allowed.test', 'blocked.test', 'api.anthropic.com'],
  });
  const { attachment, upstream } = topo;
  const proxyIp = /--dns (\S+)/.exec(attachment.containerArgs.join(' '))?.[1] ?? '';
  const taskNet = JSON.parse((await runtime.run(['network', 'inspect', `${topo.prefix}-net-ctx`])).stdout)[0];
  const egressNet = JSON.parse((await runtime.run(['network', 'inspect', topo.egressNetwork])).stdout)[0];
  const taskBase = String(taskNet.subnets[0].subnet).replace(/\.0\/24$/, '');
  const egressBase = String(egressNet.subnets[0].subnet).replace(/\.0\/24$/, '');
  const proxyEgressIp = (await runtime.run(['inspect', `${topo.prefix}-proxy-ctx`, '--format', `{{(index .NetworkSettings.Networks "${topo.egressNetwork}").IPAddress}}`])).stdout.trim();
  // The host's link-local address on the task bridge (there is no other host address on it).
  const bridge = String(taskNet.network_interface);
  const linkLocal = /inet6 (fe80::[0-9a-f:]+)\//.exec((await execa('ip', ['-6', 'addr', 'show', 'dev', bridge], { reject: false })).stdout)?.[1];

  const v4 = await hostService(t, '0.0.0.0');
  const v6 = await hostService(t, '::');

  const U = upstream.ip;
  const curl = 'curl -sS --max-time 5';
  const attempts: Attempt[] = [];
  const add = (name: string, script: string, escaped: (output: string) => boolean): void => { attempts.push({ name, script, escaped }); };

  // Direct connections to the upstream's own address, bypassing DNS and the proxy.
  for (const port of [443, 80, 8080]) {
    add(`direct to upstream ${U}:${port}`, `${curl} -k ${port === 443 ? 'https' : 'http'}://${U}:${port}/direct`, reachedUpstream);
  }
  add('direct to upstream with the allowed name pinned to its IP', `${curl} --resolve allowed.test:443:${U} https://allowed.test/pinned`, reachedUpstream);
  add(`raw TCP to upstream ${U}:22`, `nc -vz -w 3 ${U} 22 2>&1`, connected);
  add(`to the proxy's egress-side address ${proxyEgressIp}`, `${curl} http://${proxyEgressIp}/ 2>&1; nc -vz -w 3 ${proxyEgressIp} 443 2>&1`, connected);
  if (`${egressBase}.1` !== U) {
    add(`egress gateway ${egressBase}.1`, `${curl} http://${egressBase}.1/ 2>&1`, reachedUpstream);
  }

  // DNS: only A queries are answered, and only by the proxy.
  for (const type of ['AAAA', 'TXT', 'MX', 'ANY']) {
    add(`DNS ${type} query`, `dig +notcp +time=3 +tries=1 ${type} exfil-${type.toLowerCase()}.allowed.test`, (out) => !/status: NOTIMP/.test(out));
  }
  for (const resolver of new Set([U, `${taskBase}.1`, `${egressBase}.1`, proxyEgressIp])) {
    add(`DNS to another resolver ${resolver}`, `dig +time=2 +tries=1 @${resolver} allowed.test A`, dnsAnswered);
  }
  add('DNS to the proxy on another port', `dig +time=2 +tries=1 -p 5353 @${proxyIp} allowed.test A`, dnsAnswered);
  add('DNS over TCP to the proxy', `dig +tcp +time=2 +tries=1 @${proxyIp} allowed.test A`, dnsAnswered);

  // Host services, through every address the container could take for the host.
  const hostAddresses: [string, string][] = [
    [`task subnet .1 (${taskBase}.1)`, `${taskBase}.1`],
    ['host.containers.internal from /etc/hosts', '"$(awk \'/host.containers.internal/{print $1}\' /etc/hosts)"'],
    [`the proxy address ${proxyIp}`, proxyIp],
  ];
  for (const [label, address] of hostAddresses) {
    add(`host service on 0.0.0.0 via ${label}`, `${curl} http://${address}:${v4.port}/`, reachedHost);
    add(`host service on :: via ${label}`, `${curl} http://${address}:${v6.port}/`, reachedHost);
  }
  if (linkLocal !== undefined) {
    add(`host service on :: via link-local ${linkLocal}`, `${curl} -g "http://[${linkLocal}%eth0]:${v6.port}/"`, reachedHost);
  }
  add('IPv6 is off in the task', 'cat /proc/sys/net/ipv6/conf/all/disable_ipv6; ip -6 addr', (out) => !out.trim().startsWith('1') || /inet6/.test(out));

  // Through the proxy, but around its rules.
  add('CONNECT tunnel to an allowed host', `${curl} -p -x http://${proxyIp}:80 https://allowed.test/connect`, reachedUpstream);
  add('CONNECT tunnel to a blocked host', `${curl} -p -x http://${proxyIp}:80 https://blocked.test/connect`, reachedUpstream);
  add('absolute-URI proxy request to a blocked host', `${curl} -x http://${proxyIp}:80 http://blocked.test/absolute`, reachedUpstream);
  add('Host header differs from SNI (allowed SNI, blocked Host)', `${curl} -H "Host: blocked.test" https://allowed.test/fronting`, reachedUpstream);
  add('Host header differs from SNI (blocked SNI, allowed Host)', `${curl} -H "Host: allowed.test" https://blocked.test/fronting`, reachedUpstream);
  add('plain HTTP with a blocked Host to the proxy address', `${curl} -H "Host: blocked.test" http://${proxyIp}/fronting`, reachedUpstream);
  add('blocked host with --noproxy', `${curl} --noproxy '*' https://blocked.test/noproxy`, reachedUpstream);
  add('blocked host over plain HTTP', `${curl} http://blocked.test/plain`, reachedUpstream);
  for (const port of [22, 53, 3128, 8080, 8443]) {
    add(`proxy port ${port}`, `nc -vz -w 3 ${proxyIp} ${port} 2>&1`, connected);
  }

  // Anthropic server-side tools told to fetch a host the allowlist does not
  // open: escaped when the upstream echoes a body still naming it.
  const fetchTool = (domains: string, type = 'web_fetch_20250910'): string => `{"type":"${type}","name":"f","allowed_domains":${domains}}`;
  const evil = fetchTool('["evil.example"]');
  const body = (tools: string): string => `{"model":"m","max_tokens":1,"messages":[],"tools":[${tools}]}`;
  const viaProxy = (reached: string): boolean => reachedUpstream(reached) && reached.includes('evil.example');
  const post = (data: string, extra = '', url = 'https://api.anthropic.com/v1/messages'): string => `${curl} ${extra} -H 'content-type: application/json' --data-binary '${data}' ${url}`;
  add('tool domains: a second "tools" key hides the first', post(`{"model":"m","tools":[${evil}],"tools":[]}`), viaProxy);
  add('tool domains: the key spelled with an escape', post(`{"model":"m","\\u0074ools":[${evil}],"tools":[]}`), viaProxy);
  add('tool domains: the tool type in upper case', post(body(fetchTool('["evil.example"]', 'WEB_FETCH_20250910'))), viaProxy);
  add('tool domains: a trailing dot on the host', post(body(fetchTool('["evil.example."]'))), viaProxy);
  add('tool domains: the host with a port', post(body(fetchTool('["evil.example:443"]'))), viaProxy);
  add('tool domains: Batches request', post(`{"requests":[{"custom_id":"a","params":{"tools":[${evil}]}}]}`, '', 'https://api.anthropic.com/v1/messages/batches'), viaProxy);
  add('tool domains: tools nested deep', post(`{"a":[[{"b":{"tools":[${evil}]}}]]}`), viaProxy);
  add('tool domains: percent-encoded path', post(body(evil), '--path-as-is', 'https://api.anthropic.com/v1/messag%65s'), viaProxy);
  add('tool domains: ;params on the path', post(body(evil), '--path-as-is', "'https://api.anthropic.com/v1/messages;v=1'"), viaProxy);
  add('tool domains: plain HTTP', post(body(evil), '', 'http://api.anthropic.com/v1/messages'), viaProxy);
  add('tool domains: chunked upload', post(body(evil), "-H 'Transfer-Encoding: chunked'"), viaProxy);
  add('tool domains: Expect 100-continue', post(body(evil), "-H 'Expect: 100-continue'"), viaProxy);
  add('tool domains: gzip claimed, plain sent', post(body(evil), "-H 'Content-Encoding: gzip'"), viaProxy);
  add('tool domains: an unknown encoding', post(body(evil), "-H 'Content-Encoding: x-custom'"), viaProxy);
  add('tool domains: Connection names Content-Encoding', `printf '%s' '${body(evil)}' | gzip > /tmp/e.gz; ${curl} -H 'Connection: content-encoding' -H 'Content-Encoding: gzip' -H 'content-type: application/json' --data-binary @/tmp/e.gz https://api.anthropic.com/v1/messages`, viaProxy);
  add('tool domains: identity and gzip in two headers', `printf '%s' '${body(evil)}' | gzip > /tmp/f.gz; ${curl} -H 'Content-Encoding: identity' -H 'Content-Encoding: gzip' -H 'content-type: application/json' --data-binary @/tmp/f.gz https://api.anthropic.com/v1/messages`, viaProxy);
  add('tool domains: blocked_domains instead', post(body('{"type":"web_fetch_20250910","name":"f","blocked_domains":["allowed.test"],"x":"evil.example"}')), viaProxy);
  add('tool domains: a wildcard next to an allowed host', post(body(fetchTool('["allowed.test","*.example","evil.example"]'))), viaProxy);

  // ICMP and raw sockets.
  add(`ping the upstream ${U}`, `ping -c 1 -W 2 ${U} 2>&1`, (out) => / 0% packet loss/.test(out));
  add(`ping the proxy ${proxyIp}`, `ping -c 1 -W 2 ${proxyIp} 2>&1`, (out) => / 0% packet loss/.test(out));
  add('raw-socket capability', 'grep CapEff /proc/self/status', (out) => ((BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(out)?.[1] ?? '0'}`) >> 13n) & 1n) === 1n);

  // Unused addresses inside the test's own subnets.
  add(`unused task-subnet address ${taskBase}.200`, `${curl} http://${taskBase}.200/ 2>&1; nc -vz -w 3 ${taskBase}.200 443 2>&1`, connected);
  add(`unused egress-subnet address ${egressBase}.200`, `${curl} http://${egressBase}.200/ 2>&1`, connected);

  // The control: the same container does reach an allowed host, so the
  // attempts fail because of the sandbox, not because the container is broken.
  const control = `echo "### control"; ${curl} https://allowed.test/control; echo`;
  const script = [control, ...attempts.map((a, i) => `echo "### ${i}"; ( ${a.script} ) 2>&1; echo`)].join('\n');
  const result = await runInTask(runtime, attachment, script);
  const outputs = new Map<string, string>();
  for (const part of result.stdout.split(/^### /m).slice(1)) {
    const newline = part.indexOf('\n');
    outputs.set(part.slice(0, newline === -1 ? undefined : newline), newline === -1 ? '' : part.slice(newline + 1));
  }
  t.ok(reachedUpstream(outputs.get('control') ?? ''), 'control: an allowed request from the same container works', { output: outputs.get('control') });

  let escaped = 0;
  attempts.forEach((attempt, i) => {
    const output = outputs.get(String(i));
    const got = output !== undefined && attempt.escaped(output);
    if (got) escaped++;
    t.ok(output !== undefined && !got, attempt.name, { output });
  });
  t.equal(v4.hits() + v6.hits(), 0, 'no connection reached a host service');
  t.same(upstream.requests.filter((r) => r.host !== 'api.anthropic.com').map((r) => r.url), ['/control'], 'besides the Messages API, the upstream saw only the control request');
  t.same(upstream.requests.filter((r) => r.body.includes('evil.example')), [], 'no body the upstream got names a host the allowlist does not open');

  const log = await readFile(join(topo.contextDir, 'network-sandbox.log'), 'utf8');
  for (const type of ['AAAA', 'TXT', 'MX', 'ANY']) {
    t.match(log, new RegExp(`^DNS ${type} exfil-${type.toLowerCase()}\\.allowed\\.test -> NOTIMP`, 'm'), `DNS ${type} logged`);
  }
  for (const path of ['/fronting', '/noproxy', '/plain']) {
    t.match(log, new RegExp(`^BLOCKED .*${path}`, 'm'), `${path} logged as blocked`);
  }

  t.comment(`tried ${attempts.length}, escaped ${escaped}`);
  process.stderr.write(`escape suite: tried ${attempts.length}, escaped ${escaped}\n`);
  t.equal(escaped, 0);

  await attachment.release();
  t.same(await leftovers(runtime, topo.prefix), []);
});
