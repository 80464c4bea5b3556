import t, { type Test } from 'tap';
import { execa } from 'execa';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureCa } from '../../../src/sandbox/network/ca/index.js';
import { parseProxyEvent, type ProxyEvent } from '../../../src/sandbox/proxy/index.js';
import { REPO_ROOT } from '../../harness/repo-root.js';

const ROOT = REPO_ROOT;
const MAIN = join(ROOT, 'dist', 'sandbox', 'proxy', 'main.js');

/** The program runs from the build, with plain node, exactly as in the proxy container. */
function checkBuild(t: Test): boolean {
  if (!existsSync(MAIN)) {
    t.fail(`${MAIN} is missing: run \`npm run build\``);
    return false;
  }
  const built = statSync(MAIN).mtimeMs;
  const srcDir = join(ROOT, 'src', 'sandbox', 'proxy');
  const stale = readdirSync(srcDir).filter((f) => statSync(join(srcDir, f)).mtimeMs > built);
  if (stale.length > 0) {
    t.fail(`dist is older than ${stale.join(', ')}: run \`npm run build\``);
    return false;
  }
  return true;
}

void t.test('main.js prints events, answers, and exits 0 on SIGTERM', async (t) => {
  if (!checkBuild(t)) return;
  const dir = t.testdir();
  const ca = await ensureCa(join(dir, 'ca'));
  const config = join(dir, 'proxy-config.json');
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: 0, https_port: 0, dns_port: 0, proxy_ip: '10.199.3.100',
    allowlist: { domains: [], url_prefixes: [] }, secrets_file: null, ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
    upstream_hosts: {}, upstream_dns: null, upstream_ca_file: null, log_file: join(dir, 'network-sandbox.log'),
  }));
  const child = execa(process.execPath, [MAIN, '--config', config], { reject: false, env: { NODE_OPTIONS: '' } });
  t.teardown(() => { child.kill('SIGKILL'); });
  const events: ProxyEvent[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = parseProxyEvent(line);
    t.ok(event, `stdout line is an event: ${line}`);
    if (event !== undefined) events.push(event);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (test: (e: ProxyEvent) => boolean): Promise<ProxyEvent> => {
    for (;;) {
      const found = events.find(test);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const ready = await waitFor((e) => e.event === 'ready');
  t.match(events[0], { event: 'log', kind: 'TASK_START', level: 'info', line: /^=== TASK START \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ===$/ });
  if (ready.event !== 'ready') return;

  const req = request({
    host: 'blocked.test', port: ready.https_port, path: '/x', ca: ca.certPem, agent: false,
    lookup: (_n, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
  });
  req.end();
  const [res] = await once(req, 'response');
  res.resume();
  t.equal(res.statusCode, 403);
  t.match(await waitFor((e) => e.event === 'log' && e.kind === 'BLOCKED'), { line: 'BLOCKED GET https://blocked.test/x -> 403', level: 'warn' });

  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 0);
  t.equal(result.stderr, '');
});

void t.test('main.js reports a bad config as a fatal event and exits 1', async (t) => {
  if (!checkBuild(t)) return;
  const config = join(t.testdir({ 'proxy-config.json': '{"proxy_ip": "10.0.0.1", "nonsense": 1}' }), 'proxy-config.json');
  const result = await execa(process.execPath, [MAIN, '--config', config], { reject: false, env: { NODE_OPTIONS: '' } });
  t.equal(result.exitCode, 1);
  t.match(parseProxyEvent(result.stdout), { event: 'fatal', code: 'PROXY_CONFIG_INVALID', message: /nonsense is not a known key/ });
});

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the connect error code, or 'connected'. */
async function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

void t.test('with --await-task: loaded but serving nothing until "start", then the task file\'s allowlist rules; stdin closing stops it', async (t) => {
  if (!checkBuild(t)) return;
  const dir = t.testdir();
  const ca = await ensureCa(join(dir, 'ca'));
  const httpPort = await freePort();
  const config = join(dir, 'proxy-config.json');
  // The config's own allowlist would allow blocked.test: with --await-task only the task file counts.
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: httpPort, https_port: 0, dns_port: 0, proxy_ip: '10.199.3.2',
    allowlist: { domains: ['blocked.test'], url_prefixes: [] }, secrets_file: null, ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
    log_file: null,
  }));
  const taskFile = join(dir, 'task.json');
  const child = execa(process.execPath, [MAIN, '--config', config, '--await-task', taskFile], { reject: false, stdin: 'pipe', env: { NODE_OPTIONS: '' } });
  t.teardown(() => { child.kill('SIGKILL'); });
  const events: ProxyEvent[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = parseProxyEvent(line);
    if (event !== undefined) events.push(event);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = async (test: (e: ProxyEvent) => boolean): Promise<ProxyEvent> => {
    for (;;) {
      const found = events.find(test);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };

  await waitFor((e) => e.event === 'waiting');
  t.equal(await tryConnect(httpPort), 'ECONNREFUSED', 'nothing listens before the task is handed over');
  t.same(events, [{ event: 'waiting' }], 'no task start line yet');

  await writeFile(taskFile, JSON.stringify({ allowlist: { domains: ['allowed.test'], url_prefixes: [] }, secrets_file: null }));
  child.stdin?.write('start\n');
  const ready = await waitFor((e) => e.event === 'ready');
  if (ready.event !== 'ready') return;
  t.equal(ready.http_port, httpPort);
  t.equal(ready.health_ms, 500, 'health reports are announced');
  t.match(events[1], { event: 'log', kind: 'TASK_START' });
  t.match(await waitFor((e) => e.event === 'health'), { event: 'health', dns: 'ok' }, 'the proxy asked its own DNS responder and got an answer');
  t.notOk(events.some((e) => e.event === 'log' && e.kind === 'DNS'), 'its health queries are not in the network log');

  const req = request({
    host: 'blocked.test', port: ready.https_port, path: '/x', ca: ca.certPem, agent: false,
    lookup: (_n, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
  });
  req.end();
  const [res] = await once(req, 'response');
  res.resume();
  t.equal(res.statusCode, 403, 'the task\'s allowlist, not the config\'s');
  await waitFor((e) => e.event === 'log' && e.kind === 'BLOCKED');

  child.stdin?.end();
  const result = await child;
  t.equal(result.exitCode, 0);
  t.match(events.at(-1), { event: 'stopped' }, 'stopped is the last line');
  t.equal(await tryConnect(httpPort), 'ECONNREFUSED');
});

void t.test('with --await-task: stdin closing before "start" exits 0, a missing task file or a stray line is fatal', async (t) => {
  if (!checkBuild(t)) return;
  const dir = t.testdir();
  const ca = await ensureCa(join(dir, 'ca'));
  const config = join(dir, 'proxy-config.json');
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: 0, https_port: 0, dns_port: 0, proxy_ip: '10.199.3.2',
    allowlist: { domains: [], url_prefixes: [] }, ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
  }));
  const run = (input: string) => execa(process.execPath, [MAIN, '--config', config, '--await-task', join(dir, 'missing.json')], { reject: false, input, env: { NODE_OPTIONS: '' } });

  const idle = await run('');
  t.equal(idle.exitCode, 0);
  t.same(idle.stdout.split('\n').map((line) => parseProxyEvent(line)), [{ event: 'waiting' }, { event: 'stopped' }]);

  const missing = await run('start\n');
  t.equal(missing.exitCode, 1);
  t.match(parseProxyEvent(missing.stdout.split('\n').at(-1) ?? ''), { event: 'fatal', code: 'PROXY_CONFIG_UNREADABLE', message: /missing\.json/ });

  const stray = await run('go\n');
  t.equal(stray.exitCode, 1);
  t.match(parseProxyEvent(stray.stdout.split('\n').at(-1) ?? ''), { event: 'fatal', code: 'PROXY_CONTROL_INVALID' });
  t.notOk(readFileSync(config, 'utf8').includes('log_file'), 'no log file configured: lines only go to stdout');
});
