/**
 * Holds at the proxy program (main.js --await-task, from the build, as in the
 * proxy container): a blocked request waits for the host's decision on stdin
 * while other requests flow.
 */
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { ensureCa } from '../../../src/sandbox/network/ca/index.js';
import { parseProxyEvent, type ProxyEvent } from '../../../src/sandbox/proxy/index.js';
import { REPO_ROOT } from '../../harness/repo-root.js';
import { startUpstream, UPSTREAM_CA_FILE } from './proxy-harness.js';

const MAIN = join(REPO_ROOT, 'dist', 'sandbox', 'proxy', 'main.js');

interface HoldProxy {
  events: ProxyEvent[];
  waitFor: (test: (e: ProxyEvent) => boolean) => Promise<ProxyEvent>;
  write: (line: string) => void;
  get: (host: string, path: string) => Promise<{ status: number; body: string; ms: number }>;
  end: () => Promise<number | undefined>;
}

/** The program with `allowed.test` allowed, `other.test` not, and holds of `holdMs`; every name reaches one fake upstream. */
async function startHoldProxy(t: Test, holdMs: number): Promise<HoldProxy> {
  t.ok(existsSync(MAIN), `${MAIN} exists (npm run build)`);
  const upstream = await startUpstream(t);
  const dir = t.testdir();
  const ca = await ensureCa(join(dir, 'ca'));
  const config = join(dir, 'proxy-config.json');
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: 0, https_port: 0, dns_port: 0, proxy_ip: '10.199.3.2',
    allowlist: { domains: [], url_prefixes: [] }, secrets_file: null, ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
    upstream_hosts: { 'allowed.test': '127.0.0.1', 'other.test': '127.0.0.1' }, upstream_dns: null,
    upstream_ca_file: UPSTREAM_CA_FILE, upstream_ports: { https: upstream.port, http: 1 }, log_file: null,
  }));
  const taskFile = join(dir, 'task.json');
  await writeFile(taskFile, JSON.stringify({ allowlist: { domains: ['allowed.test'], url_prefixes: [] }, secrets_file: null }));
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
  child.stdin?.write(`${JSON.stringify({ hold_ms: holdMs })}\nstart\n`);
  const ready = await waitFor((e) => e.event === 'ready');
  const port = ready.event === 'ready' ? ready.https_port : 0;
  const get = (host: string, path: string): Promise<{ status: number; body: string; ms: number }> => new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({
      host, port, path, ca: ca.certPem, agent: false,
      lookup: (_n, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
  return {
    events, waitFor, get,
    write: (line) => { child.stdin?.write(`${line}\n`); },
    end: async () => {
      child.stdin?.end();
      return (await child).exitCode;
    },
  };
}

const holds = (p: HoldProxy): ProxyEvent[] => p.events.filter((e) => e.event === 'hold');
const accessLine = (p: HoldProxy, pattern: RegExp): boolean => p.events.some((e) => e.event === 'log' && pattern.test(e.line));

void t.test('allow: the held request completes and its entry stays allowed; deny gives the 403; other hosts are not delayed meanwhile', async (t) => {
  const HOLD_MS = 20_000;
  const p = await startHoldProxy(t, HOLD_MS);
  const baseline: number[] = [];
  for (let i = 0; i < 5; i++) baseline.push((await p.get('allowed.test', `/before/${i}`)).ms);
  const held = p.get('other.test', '/simple/x?v=1');
  const hold = await p.waitFor((e) => e.event === 'hold');
  t.match(hold, { event: 'hold', id: 'h1', method: 'GET', host: 'other.test', path: '/simple/x', expires_in_ms: HOLD_MS });

  // While h1 waits, another host's requests go through at their normal pace.
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const other = await p.get('allowed.test', `/other/${i}`);
    t.equal(other.status, 200, 'the other host is reached');
    latencies.push(other.ms);
  }
  const worst = Math.max(...latencies);
  t.comment(`other-host latency (new TLS connection each) before any hold: ${baseline.map((ms) => ms.toFixed(1)).join(', ')} ms; while a request is held: ${latencies.map((ms) => ms.toFixed(1)).join(', ')} ms (hold time ${HOLD_MS} ms)`);
  t.ok(worst < HOLD_MS / 20, `the slowest other-host request took ${worst.toFixed(1)} ms, far below the hold time`);
  t.notOk(p.events.some((e) => e.event === 'hold_end'), 'h1 is still waiting');

  p.write(JSON.stringify({ decide: 'h1', allow: true }));
  const done = await held;
  t.equal(done.status, 200, 'the held request completed');
  t.match(JSON.parse(done.body), { method: 'GET', url: '/simple/x?v=1' }, 'it reached the upstream as sent');
  t.ok(done.ms > worst, 'it waited for the decision');
  t.match(await p.waitFor((e) => e.event === 'hold_end'), { id: 'h1', outcome: 'allowed' });

  const again = await p.get('other.test', '/simple/x?v=2');
  t.equal(again.status, 200, 'the same method, host and path are allowed for the rest of the run');
  t.equal(holds(p).length, 1, 'without asking again');

  const otherPath = p.get('other.test', '/simple/y');
  t.match(await p.waitFor((e) => e.event === 'hold' && e.id === 'h2'), { path: '/simple/y' }, 'another path of the host is held on its own');
  p.write(JSON.stringify({ decide: 'h2', allow: false }));
  const denied = await otherPath;
  t.equal(denied.status, 403, 'deny gives the normal 403');
  t.match(JSON.parse(denied.body), { error: 'blocked_by_network_allowlist', host: 'other.test', path: '/simple/y' });
  t.match(await p.waitFor((e) => e.event === 'hold_end' && e.id === 'h2'), { outcome: 'denied' });

  t.equal(await p.end(), 0);
  t.ok(accessLine(p, /^ALLOWED GET https:\/\/other\.test\/simple\/x\?v=1 -> 200 .*\(held: allowed\)/), 'the access line says the request was held and allowed');
  t.ok(accessLine(p, /^ALLOWED GET https:\/\/other\.test\/simple\/x\?v=2 -> 200 .*\(allowed while held earlier in this run\)/));
  t.ok(accessLine(p, /^BLOCKED GET https:\/\/other\.test\/simple\/y -> 403 \(held: denied\)$/));
});

void t.test('timeout: the 403 after the hold time; a late, an unknown or a malformed decision changes nothing', async (t) => {
  const HOLD_MS = 300;
  const p = await startHoldProxy(t, HOLD_MS);
  const first = await p.get('other.test', '/simple/x');
  t.equal(first.status, 403, 'no decision: 403');
  t.ok(first.ms >= HOLD_MS - 20, `it waited for the hold time (${first.ms.toFixed(0)} ms)`);
  t.match(await p.waitFor((e) => e.event === 'hold_end'), { id: 'h1', outcome: 'expired' });

  p.write(JSON.stringify({ decide: 'h1', allow: true }));
  p.write(JSON.stringify({ decide: 'h99', allow: true }));
  p.write(JSON.stringify({ decide: 'h2', allow: 'yes' }));
  await p.waitFor((e) => e.event === 'log' && e.line.includes('"h99"'));
  await p.waitFor((e) => e.event === 'log' && e.line.startsWith('WARNING: hold control line ignored'));
  t.ok(accessLine(p, /^WARNING: decision allow for hold "h1" ignored: no such hold is waiting/), 'a late allow is logged and ignored');

  // The late allow granted nothing: the next request is held again, and the malformed "allow" for h2 did not decide it.
  const next = p.get('other.test', '/simple/x');
  t.match(await p.waitFor((e) => e.event === 'hold' && e.id === 'h2'), { path: '/simple/x' });
  t.equal((await next).status, 403);
  t.match(await p.waitFor((e) => e.event === 'hold_end' && e.id === 'h2'), { outcome: 'expired' });
  t.equal(await p.end(), 0);
});

void t.test('at most 20 holds at once: the next blocked request is refused at once; stdin closing refuses the held ones', async (t) => {
  const HOLD_MS = 20_000;
  const p = await startHoldProxy(t, HOLD_MS);
  const held = Array.from({ length: 20 }, (_, i) => p.get('other.test', `/p/${i}`));
  await p.waitFor(() => holds(p).length === 20);
  const over = await p.get('other.test', '/p/20');
  t.equal(over.status, 403, 'the 21st is refused');
  t.ok(over.ms < HOLD_MS / 20, `at once (${over.ms.toFixed(1)} ms)`);
  t.equal(holds(p).length, 20, 'and nobody is asked about it');

  const exit = p.end();
  const results = await Promise.all(held);
  t.same(results.map((r) => r.status), Array.from({ length: 20 }, () => 403), 'every held request got its 403 when the host went away');
  t.equal(holds(p).length, 20);
  t.equal(await exit, 0);
  t.equal(p.events.filter((e) => e.event === 'hold_end' && e.outcome === 'closed').length, 20);
});
