import t, { type Test } from 'tap';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Allowlist } from '../../../src/sandbox/network/allowlist/allowlist.js';
import { NetworkSandbox, PROXY_HOST, type NetworkSandboxOptions } from '../../../src/sandbox/network/network-sandbox.js';
import { READINESS_PROBE, TASK_CA_PATH } from '../../../src/sandbox/network/proxy-layout.js';
import type { ProxyEvent } from '../../../src/sandbox/proxy/index.js';
import { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, runInTask, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';

// Lifecycle of the topology with a stand-in proxy program (DNS + open ports),
// independent of the real proxy: networks, addresses, readiness, teardown.

const runtime = testRuntime();
const standIn = fileURLToPath(new URL('./stand-in-proxy.js', import.meta.url));

async function standInRoot(t: Test, variant: 'ready' | 'silent' | 'crash'): Promise<string> {
  const root = await tempDir(t, 'pkg');
  const programDir = join(root, 'dist', 'sandbox', 'proxy');
  await mkdir(programDir, { recursive: true });
  await writeFile(join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  // The readiness probe is Airut's own, from the package the tests build.
  await copyFile(join(await builtPackageRoot(), READINESS_PROBE), join(root, READINESS_PROBE));
  if (variant === 'crash') {
    await writeFile(join(programDir, 'main.js'), [
      'console.log(JSON.stringify({ event: "fatal", code: "PROXY_CONFIG_INVALID", message: "stand-in: config unusable", hint: null }));',
      'process.exit(1);',
    ].join('\n'));
  } else {
    await copyFile(standIn, join(programDir, 'main.js'));
  }
  if (variant === 'silent') await writeFile(join(root, 'silent'), '');
  return root;
}

async function sandboxFor(t: Test, overrides: Partial<NetworkSandboxOptions> = {}): Promise<{ sandbox: NetworkSandbox; prefix: string; tmp: string; contextDir: string }> {
  const prefix = uniquePrefix();
  const tmp = await tempDir(t, 'proxy-tmp');
  const contextDir = await tempDir(t, 'context');
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: new Allowlist('test', { domains: [], url_prefixes: [] }),
    egressNetwork: await testEgressNetwork(t, runtime, prefix),
    packageRoot: await standInRoot(t, 'ready'),
    tmpDir: tmp,
    ...overrides,
  });
  return { sandbox, prefix, tmp, contextDir };
}

void t.test('a task container reaches only the proxy, which answers every name, and release removes everything', async (t) => {
  const events: ProxyEvent[] = [];
  const { sandbox, prefix, tmp, contextDir } = await sandboxFor(t, { onNetworkLine: (event) => { events.push(event); } });
  const attachment = await sandbox.attach('ctx-1', contextDir);
  t.teardown(() => attachment.release());

  const network = `${prefix}-net-ctx-1`;
  const dns = /--dns (\d+\.\d+\.\d+\.(\d+))/.exec(attachment.containerArgs.join(' '));
  t.ok(dns, 'the proxy is the only resolver');
  t.equal(Number(dns?.[2]), PROXY_HOST);
  t.match(attachment.containerArgs.join(' '), `--network ${network} `);
  t.match(attachment.containerArgs.join(' '), 'net.ipv6.conf.all.disable_ipv6=1');
  t.same(attachment.env, {
    NODE_EXTRA_CA_CERTS: TASK_CA_PATH, SSL_CERT_FILE: TASK_CA_PATH, REQUESTS_CA_BUNDLE: TASK_CA_PATH, CURL_CA_BUNDLE: TASK_CA_PATH, GIT_SSL_CAINFO: TASK_CA_PATH,
  });
  const inspect = JSON.parse((await runtime.run(['network', 'inspect', network])).stdout)[0];
  t.equal(inspect.internal, true);
  t.equal(inspect.dns_enabled, false);
  t.match(inspect.subnets[0].subnet, /^10\.199\.\d+\.0\/24$/);
  t.equal(inspect.subnets[0].gateway, undefined, 'no gateway: the host gets no address on the bridge');

  const proxyIp = dns?.[1] ?? '';
  const result = await runInTask(runtime, attachment, [
    'dig +short +time=2 +tries=1 anything.example.test A',
    'curl -s -o /dev/null -w "%{http_code}\\n" --max-time 30 http://anything.example.test/',
    'ip -4 route',
    'test -s $SSL_CERT_FILE && echo ca-mounted',
    'cat /proc/sys/net/ipv6/conf/all/disable_ipv6',
  ].join('; '));
  t.equal(result.exitCode, 0, result.stderr);
  const lines = result.stdout.split('\n');
  t.equal(lines[0], proxyIp, 'DNS answers with the proxy');
  t.equal(lines[1], '418', 'HTTP lands on the proxy');
  t.notMatch(result.stdout, /default/, 'no default route off the task subnet');
  t.match(result.stdout, 'ca-mounted');
  t.equal(lines.at(-1), '1', 'IPv6 off');
  t.ok(events.some((e) => e.event === 'ready'), 'live tail saw the ready line');
  t.ok(events.some((e) => e.event === 'log' && e.kind === 'DNS'), 'live tail saw the DNS query');

  t.equal((await readdir(tmp)).length, 1, 'one per-task dir while attached');
  const taskDir = join(tmp, (await readdir(tmp))[0] ?? '');
  t.ok(events.some((e) => e.event === 'log' && e.line.includes('secrets file mode 600')), 'the proxy read a 0600 secrets file');
  t.same((await readdir(taskDir)).sort(), ['proxy-config.json', 'task.json'], 'the secrets file is gone once the proxy serves');
  await attachment.release();
  await attachment.release();
  t.same(await leftovers(runtime, prefix), []);
  t.same(await readdir(tmp), [], 'per-task files deleted');
  const log = await readFile(join(contextDir, 'network-sandbox.log'), 'utf8');
  t.match(log, /^=== TASK START \(stand-in/, 'the host wrote the network log from the proxy\'s lines');
  t.match(log, /^DNS A from /m);
});

void t.test('two tasks at once get separate subnets and cannot see each other', async (t) => {
  const { sandbox, contextDir } = await sandboxFor(t);
  const [a, b] = await Promise.all([sandbox.attach('ctx-a', join(contextDir, 'a')), sandbox.attach('ctx-b', join(contextDir, 'b'))]);
  t.teardown(() => a.release());
  t.teardown(() => b.release());
  const proxyOf = (args: string[]): string => /--dns (\S+)/.exec(args.join(' '))?.[1] ?? '';
  t.not(proxyOf(a.containerArgs).replace(/\.2$/, ''), proxyOf(b.containerArgs).replace(/\.2$/, ''), 'different subnets');
  const result = await runInTask(runtime, a, [
    `curl -s -o /dev/null -w "%{http_code}\\n" --max-time 30 http://${proxyOf(a.containerArgs)}/`,
    `curl -s -o /dev/null -w "%{http_code}\\n" --max-time 5 http://${proxyOf(b.containerArgs)}/`,
  ].join('; '));
  t.same(result.stdout.split('\n'), ['418', '000'], 'own proxy reachable, the other task\'s not');
  await b.release();
  const again = await runInTask(runtime, a, `curl -s -o /dev/null -w "%{http_code}" --max-time 30 http://${proxyOf(a.containerArgs)}/`);
  t.equal(again.stdout, '418', 'releasing one task leaves the other intact');
});

void t.test('when the proxy dies mid-task the task is cut off, and release still cleans up', async (t) => {
  const { sandbox, prefix, tmp, contextDir } = await sandboxFor(t);
  const attachment = await sandbox.attach('ctx-dies', contextDir);
  t.teardown(() => attachment.release());
  await runtime.run(['kill', `${prefix}-proxy-ctx-dies`]);
  const result = await runInTask(runtime, attachment, 'curl -s -o /dev/null -w "%{http_code}" --max-time 5 http://x.test/');
  t.equal(result.stdout, '000', 'no proxy, no network');
  await attachment.release();
  t.same(await leftovers(runtime, prefix), []);
  t.same(await readdir(tmp), []);
});

void t.test('a proxy that never prints "ready" is found ready by probing its ports', async (t) => {
  const { sandbox, contextDir } = await sandboxFor(t, { packageRoot: await standInRoot(t, 'silent') });
  const attachment = await sandbox.attach('ctx-silent', contextDir);
  t.teardown(() => attachment.release());
  const result = await runInTask(runtime, attachment, 'dig +time=3 +tries=1 x.test A >&2; dig +time=3 +tries=1 x.test AAAA >&2; curl -sS -o /dev/null -w "%{http_code}" --max-time 30 http://x.test/');
  t.equal(result.stdout, '418', result.stderr);
});

void t.test('a proxy that exits at start fails the attach with its stderr and leaves nothing', async (t) => {
  const { sandbox, prefix, tmp, contextDir } = await sandboxFor(t, { packageRoot: await standInRoot(t, 'crash') });
  await t.rejects(sandbox.attach('ctx-crash', contextDir), { code: 'NETWORK_PROXY_NOT_READY', message: /config unusable/ });
  t.same(await readdir(tmp), []);
  t.same(await leftovers(runtime, prefix), []);
});

void t.test('a package root without the proxy program is refused before anything is created', async (t) => {
  const { sandbox, contextDir } = await sandboxFor(t, { packageRoot: await tempDir(t, 'empty-pkg') });
  await t.rejects(sandbox.attach('ctx-missing', contextDir), { code: 'NETWORK_PROXY_PROGRAM_MISSING' });
});

void t.test('an operator egress network that does not exist is an error naming it', async (t) => {
  const { sandbox, contextDir } = await sandboxFor(t, { egressNetwork: 'airut-test-no-such-network' });
  await t.rejects(sandbox.attach('ctx-egress', contextDir), { code: 'NETWORK_EGRESS_MISSING', message: /airut-test-no-such-network/ });
});

void t.test('docker is refused up front: it cannot build this topology', (t) => {
  t.throws(() => new NetworkSandbox({
    runtime: new ContainerRuntime({ command: 'docker' }),
    resourcePrefix: 'airut-test', caDir: '/nonexistent', allowlist: new Allowlist('test', { domains: [], url_prefixes: [] }), packageRoot: '/nonexistent',
  }), { code: 'NETWORK_RUNTIME_UNSUPPORTED', hint: /podman/ });
  t.end();
});

void t.test('context ids that cannot be part of a name are refused', async (t) => {
  const { sandbox, contextDir } = await sandboxFor(t);
  await t.rejects(sandbox.attach('../x', contextDir), { code: 'NETWORK_CONTEXT_ID_INVALID' });
});

void t.test('a warm pool hands each task its own prepared proxy and refills; release leaves the removal to the background; close removes the rest', async (t) => {
  const events: ProxyEvent[] = [];
  const { sandbox, prefix, tmp, contextDir } = await sandboxFor(t, { warmPool: 1, onNetworkLine: (event) => { events.push(event); } });
  t.teardown(() => sandbox.close());
  await sandbox.startup();
  await sandbox.settled();
  const [prepared] = await leftovers(runtime, prefix);
  t.match(prepared, new RegExp(`^${prefix}-proxy-w[0-9a-f]{8}$`), 'one proxy prepared ahead, before any task');
  t.same((await leftovers(runtime, prefix)).length, 2, 'its container and its network');
  const [slotDir] = await readdir(tmp);
  t.same(await readdir(join(tmp, slotDir ?? '')), ['proxy-config.json'], 'a prepared proxy has no task file and no secrets');

  const a = await sandbox.attach('ctx-a', join(contextDir, 'a'));
  t.match(a.containerArgs.join(' '), new RegExp(`--network ${prefix}-net-w[0-9a-f]{8} `), 'the task took the prepared network');
  const b = await sandbox.attach('ctx-b', join(contextDir, 'b'));
  const proxyOf = (args: string[]): string => /--dns (\S+)/.exec(args.join(' '))?.[1] ?? '';
  t.not(proxyOf(a.containerArgs), proxyOf(b.containerArgs), 'no proxy serves two tasks');
  const result = await runInTask(runtime, a, `curl -s -o /dev/null -w "%{http_code}" --max-time 30 http://${proxyOf(a.containerArgs)}/`);
  t.equal(result.stdout, '418');
  t.ok(events.some((e) => e.event === 'log' && e.line.includes('secrets file mode 600')), 'the task\'s secrets reached it at take time');

  await a.release();
  await b.release();
  t.match(await readFile(join(contextDir, 'a', 'network-sandbox.log'), 'utf8'), /^=== TASK START \(stand-in/, 'the log is complete when release returns');
  await sandbox.settled();
  const left = await leftovers(runtime, prefix);
  t.equal(left.length, 2, 'after the teardowns only the refilled slot remains');
  t.ok(left.every((name) => /-w[0-9a-f]{8}$/.test(name)) && !left.includes(prepared ?? ''), 'and it is a fresh one');

  await sandbox.close();
  t.same(await leftovers(runtime, prefix), [], 'close removes the prepared slot');
  t.same(await readdir(tmp), [], 'and every per-slot dir');
  await t.rejects(sandbox.attach('ctx-late', contextDir), { code: 'NETWORK_SANDBOX_CLOSED' });
});

void t.test('a warm pool size must be a small whole number', async (t) => {
  await t.rejects(sandboxFor(t, { warmPool: -1 }), { code: 'NETWORK_WARM_POOL_INVALID' });
  await t.rejects(sandboxFor(t, { warmPool: 1.5 }), { code: 'NETWORK_WARM_POOL_INVALID' });
});

void t.test('a prepared proxy that died while it waited is replaced by a fresh one at attach', async (t) => {
  const { sandbox, prefix, tmp, contextDir } = await sandboxFor(t, { warmPool: 1 });
  t.teardown(() => sandbox.close());
  await sandbox.startup();
  await sandbox.settled();
  const [prepared] = (await leftovers(runtime, prefix)).filter((name) => name.startsWith(`${prefix}-proxy-`));
  await runtime.run(['rm', '-f', '-t', '0', prepared ?? 'missing']);
  const attachment = await sandbox.attach('ctx-fresh', contextDir);
  t.match(attachment.containerArgs.join(' '), `--network ${prefix}-net-ctx-fresh `, 'a network made for this task');
  const proxyIp = /--dns (\S+)/.exec(attachment.containerArgs.join(' '))?.[1] ?? '';
  const result = await runInTask(runtime, attachment, `curl -s -o /dev/null -w "%{http_code}" --max-time 30 http://${proxyIp}/`);
  t.equal(result.stdout, '418');
  await attachment.release();
  await sandbox.close();
  t.same(await leftovers(runtime, prefix), []);
  t.same(await readdir(tmp), []);
});
