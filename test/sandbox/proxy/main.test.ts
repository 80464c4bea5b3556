import t, { type Test } from 'tap';
import { execa } from 'execa';
import { once } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureCa } from '../../../src/sandbox/network/ca/index.js';
import { parseProxyEvent, type ProxyEvent } from '../../../src/sandbox/proxy/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
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
