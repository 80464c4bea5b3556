// The usage part of the proxy benchmark (AIRUT_BENCH_PROXY_PARTS=usage runs it
// alone): what reading the usage of streamed Messages API responses and
// counting budgets costs.
//
// - Streamed POST /v1/messages through one proxy, one at a time on one
//   connection: answers with status 200 (usage read, priced, counted against
//   the run's cost cap) interleaved with the same bytes under status 201 (not
//   read): the p50 difference is what accounting adds per call. Plus the
//   reader's own CPU time on that stream, without sockets.
// - Other traffic: GET throughput (CONNECTIONS keep-alive connections) of a
//   proxy whose task has cost and egress caps, against one whose task has
//   none, in alternating rounds.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const ANTHROPIC = 'api.anthropic.com';
const OTHER = 'allowed.test';
const STREAMS = Number(process.env.AIRUT_BENCH_USAGE_STREAMS ?? 300);
const ROUNDS = Number(process.env.AIRUT_BENCH_USAGE_ROUNDS ?? 4);
const ROUND_GETS = Number(process.env.AIRUT_BENCH_USAGE_GETS ?? 1000);
const CONNECTIONS = Number(process.env.AIRUT_BENCH_CONNECTIONS ?? 4);

const round = (n, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const median = (values) => quantile(values, 0.5);
const json = (line) => { try { return JSON.parse(line); } catch { return undefined; } };

/** Spawns a process; resolves with the child once a stdout line satisfies `until` (after `onLine` saw it). */
function spawnUntil(command, args, cleanups, until, onLine = () => undefined) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.stdin.end();
    child.kill('SIGTERM');
  }));
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    let done = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      onLine(child, line);
      if (!done && until(line)) { done = true; resolve(child); }
    });
    child.once('exit', (code) => { if (!done) reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`)); });
  });
}

/** The proxy program as the network sandbox runs it (--await-task), with `budgets` in its task file; resolves with its HTTPS port. */
async function startTaskProxy(ctx, name, upstreamPort, budgets) {
  const { dir, cleanups, ca, packageRoot, proxyFlags, upstreamCa } = ctx;
  const config = join(dir, `${name}-config.json`);
  const task = join(dir, `${name}-task.json`);
  const allowlist = { domains: [OTHER], url_prefixes: [{ host: ANTHROPIC, path: '/v1/messages*', methods: ['POST'] }] };
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: 0, https_port: 0, dns_port: 0, proxy_ip: '127.0.0.1',
    allowlist: { domains: [], url_prefixes: [] }, secrets_file: null, ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
    upstream_hosts: { [ANTHROPIC]: '127.0.0.1', [OTHER]: '127.0.0.1' }, upstream_ca_file: upstreamCa,
    upstream_ports: { http: 9, https: upstreamPort }, log_file: join(dir, `${name}-network-sandbox.log`),
  }));
  await writeFile(task, JSON.stringify({ allowlist, secrets_file: null, ...(budgets.length > 0 ? { budgets } : {}) }));
  let port;
  const child = await spawnUntil(process.execPath, [...proxyFlags, join(packageRoot, 'dist/sandbox/proxy/main.js'), '--config', config, '--await-task', task], cleanups,
    (line) => json(line)?.event === 'ready',
    (proc, line) => {
      const event = json(line);
      if (event?.event === 'waiting') proc.stdin.write('start\n');
      if (event?.event === 'ready') port = event.https_port;
    });
  return { port, pid: child.pid };
}

/** One streamed POST; resolves with its latency in ms once the whole stream arrived. */
function timedStream(port, agent, status) {
  const body = Buffer.from(JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({
      host: '127.0.0.1', port, servername: ANTHROPIC, method: 'POST', path: `/v1/messages?beta=true&status=${status}`, agent,
      headers: { host: ANTHROPIC, 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === status ? resolve(performance.now() - start) : reject(new Error(`stream answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}

function timedGet(port, agent) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, servername: OTHER, method: 'GET', path: '/bench', agent, headers: { host: OTHER } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end();
  });
}

async function getsPerSecond(port, caPem) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS, ca: caPem });
  for (let i = 0; i < 50; i++) await timedGet(port, agent);
  let started = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (started < ROUND_GETS) {
      started++;
      await timedGet(port, agent);
    }
  }));
  agent.destroy();
  return ROUND_GETS / ((performance.now() - t0) / 1000);
}

/**
 * @param ctx `{ dir, cleanups, ca, packageRoot, proxyFlags, upstreamCa, root }` from the suite
 */
export async function usageAccounting(ctx) {
  await spawnUntil(process.execPath, [join(ctx.root, 'bench/proxy-usage-upstream.js')], ctx.cleanups, (line) => json(line)?.port !== undefined,
    (_proc, line) => { ctx.upstreamPort ??= json(line)?.port; });
  // Caps far above what the bench spends: every request is checked, none refused.
  const budgets = [
    { name: 'budgets.cost_usd.run', unit: 'usd', limit: 1e9, spent_before: 0 },
    { name: 'budgets.egress_bytes', unit: 'bytes', limit: 1e15, spent_before: 0 },
  ];
  const capped = await startTaskProxy(ctx, 'usage-capped', ctx.upstreamPort, budgets);
  const plain = await startTaskProxy(ctx, 'usage-plain', ctx.upstreamPort, []);

  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ctx.ca.certPem });
  for (let i = 0; i < 30; i++) {
    await timedStream(capped.port, agent, 200);
    await timedStream(capped.port, agent, 201);
  }
  const counted = [];
  const uncounted = [];
  // Interleaved, so both see the same machine load.
  for (let i = 0; i < STREAMS; i++) {
    counted.push(await timedStream(capped.port, agent, 200));
    uncounted.push(await timedStream(capped.port, agent, 201));
  }
  agent.destroy();

  // The reader's own CPU time on the same stream, without sockets.
  let tapCpuP50Ms;
  const tapModule = join(ctx.packageRoot, 'dist/sandbox/proxy/usage-tap.js');
  try {
    const { UsageTap } = await import(pathToFileURL(tapModule).href);
    const chunks = await new Promise((resolve, reject) => {
      const got = [];
      const req = request({ host: '127.0.0.1', port: ctx.upstreamPort, servername: 'localhost', method: 'POST', path: '/v1/messages', rejectUnauthorized: false }, (res) => {
        res.on('data', (c) => got.push(c));
        res.once('end', () => resolve(got));
      });
      req.once('error', reject);
      req.end('{}');
    });
    const cpu = [];
    for (let i = 0; i < 2000; i++) {
      const t0 = performance.now();
      const tap = new UsageTap('text/event-stream', undefined, () => undefined);
      for (const chunk of chunks) tap.write(chunk);
      tap.end();
      cpu.push(performance.now() - t0);
    }
    tapCpuP50Ms = round(median(cpu), 4);
  } catch {
    tapCpuP50Ms = null;
  }

  const cappedRps = [];
  const plainRps = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating which goes first, so neither always gets the warmer machine.
    if (r % 2 === 0) {
      cappedRps.push(await getsPerSecond(capped.port, ctx.ca.certPem));
      plainRps.push(await getsPerSecond(plain.port, ctx.ca.certPem));
    } else {
      plainRps.push(await getsPerSecond(plain.port, ctx.ca.certPem));
      cappedRps.push(await getsPerSecond(capped.port, ctx.ca.certPem));
    }
  }
  const countedP50 = median(counted);
  const uncountedP50 = median(uncounted);
  return {
    streams: `${STREAMS} counted (200) + ${STREAMS} not counted (201), 64 SSE events each, one at a time on one connection, same proxy`,
    countedStreamP50Ms: round(countedP50),
    uncountedStreamP50Ms: round(uncountedP50),
    addedAccountingP50Ms: round(countedP50 - uncountedP50),
    countedToUncountedP50Ratio: round(countedP50 / uncountedP50),
    countedStreamP99Ms: round(quantile(counted, 0.99)),
    uncountedStreamP99Ms: round(quantile(uncounted, 0.99)),
    tapCpuP50Ms,
    otherTraffic: {
      gets: `${ROUNDS} rounds x ${ROUND_GETS} GETs over ${CONNECTIONS} connections, alternating`,
      withBudgetsRps: cappedRps.map((v) => Math.round(v)),
      withoutBudgetsRps: plainRps.map((v) => Math.round(v)),
      withToWithoutMedianRatio: round(median(cappedRps) / median(plainRps)),
    },
    target: 'addedAccountingP50Ms <= 0.5; withToWithoutMedianRatio ~ 1',
  };
}
