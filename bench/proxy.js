// Proxy benchmarks, all on loopback: 2,000 small HTTPS GETs and 20 x 10 MB
// uploads over 4 parallel keep-alive connections (latency: 500 GETs one at a
// time on one connection), direct to a local upstream,
// through Airut's proxy program (a separate node process, as in its
// container) and through mitmproxy's mitmdump doing the same interception
// (reverse mode, its own CA towards the client, verified TLS upstream); plus
// task start with the network sandbox against a bare `podman run --rm` of the
// same image; and the request-body filter's added latency on 20 KB Messages
// API bodies (AIRUT_BENCH_PROXY_PARTS=bodyFilter runs that part alone); and AWS
// re-signing against masked secrets on 1 KB and 10 MB S3-style PUTs
// (awsSigning); and usage accounting on streamed Messages API responses and
// budget checks on other traffic (usage, see proxy-usage.js). Needs `npm run build`, `npm run provision` and mitmdump
// (`apt-get install -y mitmproxy`).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { createServer, connect } from 'node:net';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pathToFileURL } from 'node:url';
import { usageAccounting } from './proxy-usage.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
// The package whose built proxy and sandbox are measured; another checkout's
// root gives before/after figures from the same harness.
const PACKAGE_ROOT = process.env.AIRUT_BENCH_PACKAGE_ROOT ?? ROOT;
const dist = (path) => import(pathToFileURL(join(PACKAGE_ROOT, 'dist', path)).href);
const { ContainerRuntime, NetworkSandbox, allowlistFromObject, ensureCa } = await dist('sandbox/index.js');
const { PROXY_NODE_ARGS = [] } = await dist('sandbox/network/proxy-layout.js');
const UPSTREAM_CA = join(ROOT, 'test/harness/fake-upstream/certs/ca-cert.pem');
const HOST = 'allowed.test';
const GETS = Number(process.env.AIRUT_BENCH_GETS ?? 2000);
const UPLOADS = Number(process.env.AIRUT_BENCH_UPLOADS ?? 20);
const UPLOAD_BYTES = 10 * 1024 * 1024;
// Keep-alive connections the client uses in parallel for throughput (latency uses one).
const CONNECTIONS = Number(process.env.AIRUT_BENCH_CONNECTIONS ?? 4);
const LATENCY_GETS = Number(process.env.AIRUT_BENCH_LATENCY_GETS ?? 500);
const START_RUNS = Number(process.env.AIRUT_BENCH_RUNS ?? 5);
const BASE_IMAGE = process.env.AIRUT_BENCH_BASE_IMAGE ?? 'localhost/airut-test-base:bookworm';
// Node flags of the proxy process; the default is what the proxy container uses.
const PROXY_FLAGS = process.env.AIRUT_BENCH_PROXY_NODE_FLAGS === undefined
  ? PROXY_NODE_ARGS
  : process.env.AIRUT_BENCH_PROXY_NODE_FLAGS.split(' ').filter(Boolean);

const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (values) => quantile(values, 0.5);

/** Spawns a process and resolves with the first stdout line `parse` accepts; stdout keeps draining. */
function startProcess(command, args, parse, cleanups, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  cleanups.push(() => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  }));
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    let done = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (done) return;
      const value = parse(line);
      if (value !== undefined) { done = true; resolve({ child, value }); }
    });
    child.once('exit', (code) => { if (!done) reject(new Error(`${command} exited with ${code} before it was ready: ${stderr.slice(-2000)}`)); });
    child.once('error', reject);
  });
}

const json = (line) => { try { return JSON.parse(line); } catch { return undefined; } };

/** A free loopback port (for mitmdump, which cannot report one it picked). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** Resolves once something accepts TCP connections on the port (bounded). */
async function acceptsConnections(port, child) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (child.exitCode !== null) throw new Error(`the process for port ${port} exited with ${child.exitCode}`);
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after 60 s`);
}

/** One request over the shared keep-alive agent; resolves with its latency in ms. */
function timedRequest(target, method, body) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({
      host: '127.0.0.1', port: target.port, servername: HOST, method, path: '/bench', agent: target.agent,
      headers: { host: HOST, ...(body ? { 'content-type': 'application/octet-stream', 'content-length': body.length } : {}) },
    }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - start) : reject(new Error(`${target.name}: ${method} answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** Samples VmRSS of `pid` every 100 ms until stopped; returns the peak in MB (and VmHWM when readable). */
function sampleRss(pid) {
  const read = (field) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  };
  let peak = read('VmRSS');
  const timer = setInterval(() => { peak = Math.max(peak, read('VmRSS')); }, 100);
  return () => {
    clearInterval(timer);
    return { peakRssMb: round(Math.max(peak, read('VmRSS')), 1), vmHwmMb: round(read('VmHWM'), 1) };
  };
}

/** Runs `count` calls of `fn` over `CONNECTIONS` concurrent workers. */
async function concurrently(count, fn) {
  let started = 0;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (started < count) {
      started++;
      await fn();
    }
  }));
}

/**
 * Latency from one connection, one request at a time; throughput from
 * CONNECTIONS keep-alive connections in parallel. The same client drives
 * direct, Airut and mitmproxy.
 */
async function measure(target) {
  const stopRss = target.pid ? sampleRss(target.pid) : undefined;
  for (let i = 0; i < 50; i++) await timedRequest(target, 'GET');
  const latencies = [];
  for (let i = 0; i < LATENCY_GETS; i++) latencies.push(await timedRequest(target, 'GET'));
  const getStart = performance.now();
  await concurrently(GETS, () => timedRequest(target, 'GET'));
  const getSeconds = (performance.now() - getStart) / 1000;
  const body = randomBytes(UPLOAD_BYTES);
  const uploadStart = performance.now();
  await concurrently(UPLOADS, () => timedRequest(target, 'POST', body));
  const uploadSeconds = (performance.now() - uploadStart) / 1000;
  target.agent.destroy();
  return {
    requestsPerSecond: round(GETS / getSeconds, 0),
    p50Ms: round(median(latencies), 3),
    p99Ms: round(quantile(latencies, 0.99), 3),
    uploadMBps: round((UPLOADS * UPLOAD_BYTES) / 1024 / 1024 / uploadSeconds, 1),
    ...(stopRss ? stopRss() : {}),
  };
}

/** Airut's CA and a proxy config on loopback ports for `upstreamPort`. */
async function writeProxyConfig(dir, upstreamPort) {
  const ca = await ensureCa(join(dir, 'ca'));
  const config = join(dir, 'proxy-config.json');
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: 0, https_port: 0, dns_port: 0, proxy_ip: '127.0.0.1',
    allowlist: { domains: [HOST], url_prefixes: [] },
    ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
    upstream_hosts: { [HOST]: '127.0.0.1' }, upstream_ca_file: UPSTREAM_CA,
    upstream_ports: { http: 9, https: upstreamPort },
    log_file: join(dir, 'network-sandbox.log'),
  }));
  return { ca, config };
}

const readyEvent = (line) => {
  const event = json(line);
  if (event?.event === 'fatal') throw new Error(line);
  return event?.event === 'ready' ? event : undefined;
};

/** The proxy program's own start: spawn of node to its ready line, then SIGTERM. */
async function proxyStart(dir) {
  const { config } = await writeProxyConfig(dir, 9);
  const times = [];
  for (let i = 0; i < START_RUNS; i++) {
    const cleanups = [];
    const start = performance.now();
    await startProcess(process.execPath, [...PROXY_FLAGS, join(PACKAGE_ROOT, 'dist/sandbox/proxy/main.js'), '--config', config], readyEvent, cleanups);
    times.push(performance.now() - start);
    for (const cleanup of cleanups) await cleanup();
  }
  return { runs: START_RUNS, medianMs: round(median(times), 0), minMs: round(Math.min(...times), 0), packageRoot: PACKAGE_ROOT };
}

const agentFor = (ca) => new Agent({ keepAlive: true, maxSockets: CONNECTIONS, ca });

async function throughput(dir, cleanups) {
  const upstream = await startProcess(process.execPath, [join(ROOT, 'bench/proxy-upstream.js')], (l) => json(l)?.port, cleanups);
  const upstreamPort = upstream.value;

  // Airut's proxy program, a process of its own as in the proxy container.
  const { ca, config } = await writeProxyConfig(dir, upstreamPort);
  const proxyStart = performance.now();
  const airut = await startProcess(process.execPath, [...PROXY_FLAGS, join(PACKAGE_ROOT, 'dist/sandbox/proxy/main.js'), '--config', config],
    readyEvent, cleanups);
  const proxyStartMs = performance.now() - proxyStart;

  // mitmdump: reverse mode to the same upstream, its own CA towards the client,
  // the upstream verified against the same CA file Airut's proxy uses.
  const mitmPort = await freePort();
  const confdir = join(dir, 'mitmproxy');
  await mkdir(confdir);
  const mitm = spawn('mitmdump', [
    '-q', '--mode', `reverse:https://localhost:${upstreamPort}`, '--listen-host', '127.0.0.1', '--listen-port', String(mitmPort),
    '--set', `confdir=${confdir}`, '--set', `ssl_verify_upstream_trusted_ca=${UPSTREAM_CA}`, '--set', 'keep_host_header=true',
    '--set', 'connection_strategy=lazy', '--set', 'stream_large_bodies=1m',
  ], { stdio: 'ignore' });
  cleanups.push(() => new Promise((resolve) => { if (mitm.exitCode !== null) return resolve(); mitm.once('exit', resolve); mitm.kill('SIGTERM'); }));
  await acceptsConnections(mitmPort, mitm);

  const direct = await measure({ name: 'direct', port: upstreamPort, agent: agentFor(readFileSync(UPSTREAM_CA)) });
  const viaAirut = await measure({ name: 'airut', port: airut.value.https_port, agent: agentFor(ca.certPem), pid: airut.child.pid });
  const viaMitm = await measure({ name: 'mitmproxy', port: mitmPort, agent: agentFor(readFileSync(join(confdir, 'mitmproxy-ca-cert.pem'))), pid: mitm.pid });
  const added = (via) => ({ addedP50Ms: round(via.p50Ms - direct.p50Ms, 3), addedP99Ms: round(via.p99Ms - direct.p99Ms, 3) });
  return {
    gets: GETS, uploads: `${UPLOADS} x 10 MB`, connections: CONNECTIONS, latencyGets: LATENCY_GETS, packageRoot: PACKAGE_ROOT,
    proxyNodeFlags: PROXY_FLAGS.join(' '),
    airutProxyProcessStartMs: round(proxyStartMs, 0),
    direct,
    airut: { ...viaAirut, ...added(viaAirut) },
    mitmproxy: { ...viaMitm, ...added(viaMitm) },
    ratios: {
      airutVsMitmRequestsPerSecond: round(viaAirut.requestsPerSecond / viaMitm.requestsPerSecond),
      airutVsMitmUploadMBps: round(viaAirut.uploadMBps / viaMitm.uploadMBps),
      airutVsDirectRequestsPerSecond: round(viaAirut.requestsPerSecond / direct.requestsPerSecond),
      airutVsDirectUploadMBps: round(viaAirut.uploadMBps / direct.uploadMBps),
      // The ceiling of any proxy's ratio to mitmproxy on this machine: client,
      // upstream and proxy share its cores, so no proxy beats going direct.
      directVsMitmRequestsPerSecond: round(direct.requestsPerSecond / viaMitm.requestsPerSecond),
      directVsMitmUploadMBps: round(direct.uploadMBps / viaMitm.uploadMBps),
    },
    targets: { addedP50Ms: '<= 1', throughputVsMitm: '>= 5', proxyRssMb: '<= 80' },
  };
}

/**
 * Starts the proxy program on loopback for one bench part (`name` keeps its
 * files apart): `hosts` all lead to the local upstream on `upstreamPort`.
 */
async function startLoopbackProxy(dir, name, cleanups, { ca, upstreamPort, hosts, allowlist, secretsFile }) {
  const config = join(dir, `${name}-proxy-config.json`);
  await writeFile(config, JSON.stringify({
    listen_address: '127.0.0.1', http_port: 0, https_port: 0, dns_port: 0, proxy_ip: '127.0.0.1',
    allowlist, ...(secretsFile === undefined ? {} : { secrets_file: secretsFile }),
    ca_cert_file: ca.certPath, ca_key_file: ca.keyPath,
    upstream_hosts: Object.fromEntries(hosts.map((host) => [host, '127.0.0.1'])), upstream_ca_file: UPSTREAM_CA,
    upstream_ports: { http: 9, https: upstreamPort },
    log_file: join(dir, `${name}-network-sandbox.log`),
  }));
  return startProcess(process.execPath, [...PROXY_FLAGS, join(PACKAGE_ROOT, 'dist/sandbox/proxy/main.js'), '--config', config], readyEvent, cleanups);
}

const ANTHROPIC = 'api.anthropic.com';
const FILTERED_POSTS = Number(process.env.AIRUT_BENCH_FILTERED_POSTS ?? 200);

/** A Messages API body of about 20 KB with a tools array (server tools included, all already within the allowlist). */
function messagesBody() {
  const tools = Array.from({ length: 12 }, (_, i) => ({ name: `tool_${i}`, description: 'x'.repeat(580), input_schema: { type: 'object', properties: { a: { type: 'string' } } } }));
  tools.push({ type: 'web_fetch_20250910', name: 'web_fetch', allowed_domains: [HOST] }, { type: 'web_search_20250305', name: 'web_search' });
  const messages = Array.from({ length: 8 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} ${'y'.repeat(1400)}` }));
  return Buffer.from(JSON.stringify({ model: 'claude-x', max_tokens: 1024, stream: true, messages, tools }));
}

/** One POST of `body` to `host` `path`, resolving with its latency in ms. */
function timedPost(port, agent, host, path, body) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({
      host: '127.0.0.1', port, servername: host, method: 'POST', path, agent,
      headers: { host, 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - start) : reject(new Error(`POST ${host}${path} answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * The request-body filter's cost: POST /v1/messages bodies of ~20 KB with a
 * tools array to api.anthropic.com (read, parsed, checked, forwarded) against
 * the same body to a host whose bodies stream unread, one at a time on one
 * connection; plus the GET throughput of unfiltered traffic in the same proxy.
 */
async function bodyFilter(dir, cleanups) {
  const upstream = await startProcess(process.execPath, [join(ROOT, 'bench/proxy-upstream.js')], (l) => json(l)?.port, cleanups);
  const ca = await ensureCa(join(dir, 'filter-ca'));
  const proxy = await startLoopbackProxy(dir, 'filter', cleanups, {
    ca, upstreamPort: upstream.value, hosts: [HOST, ANTHROPIC],
    allowlist: { domains: [HOST], url_prefixes: [{ host: ANTHROPIC, path: '/v1/messages*', methods: ['POST'] }] },
  });
  const port = proxy.value.https_port;
  const body = messagesBody();
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ca.certPem });
  const filtered = [];
  const unfiltered = [];
  for (let i = 0; i < 20; i++) {
    await timedPost(port, agent, ANTHROPIC, '/v1/messages?beta=true', body);
    await timedPost(port, agent, HOST, '/v1/messages?beta=true', body);
  }
  // Interleaved, so both see the same machine load.
  for (let i = 0; i < FILTERED_POSTS; i++) {
    filtered.push(await timedPost(port, agent, ANTHROPIC, '/v1/messages?beta=true', body));
    unfiltered.push(await timedPost(port, agent, HOST, '/v1/messages?beta=true', body));
  }
  agent.destroy();
  const gets = await measure({ name: 'airut', port, agent: agentFor(ca.certPem), pid: proxy.child.pid });
  // The filter's own CPU time on this body, without sockets (absent from packages without the filter).
  let filterCpuP50Ms;
  const filterModule = join(PACKAGE_ROOT, 'dist/sandbox/proxy/tool-domain-filter.js');
  if (existsSync(filterModule)) {
    const { checkToolDomains } = await import(pathToFileURL(filterModule).href);
    const cpu = [];
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      checkToolDomains(body, (host) => host === HOST);
      cpu.push(performance.now() - t0);
    }
    filterCpuP50Ms = round(median(cpu), 3);
  }
  return {
    posts: `${FILTERED_POSTS} filtered + ${FILTERED_POSTS} unfiltered, ${body.length} bytes each, one at a time`,
    packageRoot: PACKAGE_ROOT,
    filteredPostP50Ms: round(median(filtered), 3),
    unfilteredPostP50Ms: round(median(unfiltered), 3),
    addedFilterP50Ms: round(median(filtered) - median(unfiltered), 3),
    filterCpuP50Ms,
    filteredPostP99Ms: round(quantile(filtered, 0.99), 3),
    unfilteredPostP99Ms: round(quantile(unfiltered, 0.99), 3),
    unfilteredGets: gets,
    target: 'addedFilterP50Ms <= 1',
  };
}

const SIGNED_HOST = 'other.test';
const SMALL_PUTS = Number(process.env.AIRUT_BENCH_SMALL_PUTS ?? 300);

/** One PUT of `body` with `headers` (already carrying the credential), resolving with its latency in ms. */
function timedPut(port, agent, host, headers, body) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const req = request({ host: '127.0.0.1', port, servername: host, method: 'PUT', path: '/bucket/object', agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - start) : reject(new Error(`PUT ${host} answered ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/**
 * AWS re-signing's cost: S3-style PUTs of 1 KB (one at a time on one
 * connection, interleaved with the masked ones) and 10 MB (CONNECTIONS in
 * parallel; also chunk-signed in 64 KiB chunks, every chunk re-signed),
 * signed with a surrogate key and re-signed by the proxy, against
 * the same PUTs carrying a masked secret's surrogate in Authorization. The
 * client signs once per body with the AWS SDK's signer (not timed); the
 * upstream does not check signatures.
 */
async function awsSigning(dir, cleanups) {
  const { prepareMaskedSecrets, prepareSigningCredentials, serializeSecrets } = await dist('sandbox/index.js');
  const { signWire } = await import(pathToFileURL(join(ROOT, 'test/harness/fake-aws/verify-signature.js')).href);
  const upstream = await startProcess(process.execPath, [join(ROOT, 'bench/proxy-upstream.js')], (l) => json(l)?.port, cleanups);
  const signing = prepareSigningCredentials([{
    name: 'aws', accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: 'AKIABENCHBENCHBENCH1' }, secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: 'bench/Secret+Key0123456789abcdefghijklmn' }, scopes: [SIGNED_HOST],
  }]);
  const masked = prepareMaskedSecrets([{ name: 'TOKEN', value: 'ghp_benchBENCHbench0123456789abcdefghij', scopes: [HOST], headers: ['Authorization'] }]);
  const secretsFile = join(dir, 'aws-secrets.json');
  await writeFile(secretsFile, serializeSecrets(masked.pairs, [], signing.pairs), { mode: 0o600 });
  const ca = await ensureCa(join(dir, 'aws-ca'));
  const proxy = await startLoopbackProxy(dir, 'aws', cleanups, {
    ca, upstreamPort: upstream.value, hosts: [HOST, SIGNED_HOST], secretsFile,
    allowlist: { domains: [HOST, SIGNED_HOST], url_prefixes: [] },
  });
  const port = proxy.value.https_port;
  const credentials = { accessKeyId: signing.env.AWS_ACCESS_KEY_ID, secretAccessKey: signing.env.AWS_SECRET_ACCESS_KEY };
  const signedHeaders = async (body, payloadHash = createHash('sha256').update(body).digest('hex'), extra = {}) => {
    const date = new Date();
    const headers = { host: SIGNED_HOST, 'x-amz-date': date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''), 'x-amz-content-sha256': payloadHash, 'content-type': 'application/octet-stream', ...extra };
    const rawHeaders = Object.entries(headers).flat();
    const authorization = await signWire({ method: 'PUT', host: SIGNED_HOST, target: '/bucket/object', rawHeaders, signedHeaders: Object.keys(headers).sort() }, { credentials, region: 'us-east-1', service: 's3', date });
    return { ...headers, authorization };
  };
  const maskedHeaders = { host: HOST, authorization: `Bearer ${masked.env.TOKEN}`, 'content-type': 'application/octet-stream' };

  const small = randomBytes(1024);
  const smallSigned = await signedHeaders(small);
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ca.certPem });
  for (let i = 0; i < 30; i++) {
    await timedPut(port, agent, SIGNED_HOST, smallSigned, small);
    await timedPut(port, agent, HOST, maskedHeaders, small);
  }
  const signedSmall = [];
  const maskedSmall = [];
  for (let i = 0; i < SMALL_PUTS; i++) {
    signedSmall.push(await timedPut(port, agent, SIGNED_HOST, smallSigned, small));
    maskedSmall.push(await timedPut(port, agent, HOST, maskedHeaders, small));
  }
  agent.destroy();

  const large = randomBytes(UPLOAD_BYTES);
  const largeSigned = await signedHeaders(large);
  // The same 10 MB as the AWS CLI sends it: 64 KiB chunks, each signed (the proxy re-signs every one).
  const zero = '0'.repeat(64);
  const chunkedParts = [];
  for (let at = 0; at < large.length; at += 65536) {
    const piece = large.subarray(at, at + 65536);
    chunkedParts.push(Buffer.from(`${piece.length.toString(16)};chunk-signature=${zero}\r\n`), piece, Buffer.from('\r\n'));
  }
  chunkedParts.push(Buffer.from(`0;chunk-signature=${zero}\r\n\r\n`));
  const chunkedBody = Buffer.concat(chunkedParts);
  const chunkedSigned = await signedHeaders(chunkedBody, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(large.length) });
  const uploads = async (host, headers, body = large) => {
    const parallel = agentFor(ca.certPem);
    const times = [];
    const t0 = performance.now();
    await concurrently(UPLOADS, async () => { times.push(await timedPut(port, parallel, host, headers, body)); });
    const seconds = (performance.now() - t0) / 1000;
    parallel.destroy();
    return { p50Ms: round(median(times), 1), uploadMBps: round((UPLOADS * UPLOAD_BYTES) / 1024 / 1024 / seconds, 1) };
  };
  await uploads(HOST, maskedHeaders);
  const maskedLarge = await uploads(HOST, maskedHeaders);
  const signedLarge = await uploads(SIGNED_HOST, largeSigned);
  const chunkedLarge = await uploads(SIGNED_HOST, chunkedSigned, chunkedBody);
  const log = readFileSync(join(dir, 'aws-network-sandbox.log'), 'utf8');
  const resigned = log.split('\n').filter((line) => line.startsWith(`ALLOWED PUT https://${SIGNED_HOST}/`) && line.endsWith('[masked: 1] [region: us-east-1]')).length;
  return {
    puts: `${SMALL_PUTS} x 1 KB each way, one at a time; ${UPLOADS} x 10 MB each way over ${CONNECTIONS} connections`,
    packageRoot: PACKAGE_ROOT,
    small: {
      resignedP50Ms: round(median(signedSmall), 3),
      maskedP50Ms: round(median(maskedSmall), 3),
      addedP50Ms: round(median(signedSmall) - median(maskedSmall), 3),
      resignedP99Ms: round(quantile(signedSmall, 0.99), 3),
      maskedP99Ms: round(quantile(maskedSmall, 0.99), 3),
    },
    large: {
      resigned: signedLarge, chunkResigned: chunkedLarge, masked: maskedLarge,
      resignedVsMaskedMBps: round(signedLarge.uploadMBps / maskedLarge.uploadMBps),
      chunkResignedVsMaskedMBps: round(chunkedLarge.uploadMBps / maskedLarge.uploadMBps),
    },
    resignedRequestsLogged: resigned,
    targets: { smallAddedP50Ms: '<= 1', resignedVsMaskedMBps: '>= 0.8', chunkResignedVsMaskedMBps: '>= 0.8' },
  };
}

function containersConf() {
  if (process.env.CONTAINERS_CONF) return process.env.CONTAINERS_CONF;
  const conf = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'airut-test', 'containers.conf');
  if (!existsSync(conf)) throw new Error(`${conf} is missing: run \`npm run provision\``);
  return conf;
}

async function timeMs(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Task start with the network sandbox (attach + the container's `true` +
 * release) against a bare `podman run --rm` of the same image. Warm: the
 * service's setting (warm pool of 1), each start taken once the pool is
 * refilled and the previous teardown is done, as between the tasks of a
 * service. Cold: no pool (a one-shot `airut sandbox exec`), network and
 * proxy made for the task.
 */
async function taskStart(dir) {
  const runtime = new ContainerRuntime({ env: { CONTAINERS_CONF: containersConf() } });
  const prefix = `airut-bench-${randomBytes(3).toString('hex')}`;
  const egress = `${prefix}-egress`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', egress]);
  const sandboxes = [];
  try {
    const sandboxWith = (warmPool) => {
      const sandbox = new NetworkSandbox({
        runtime, resourcePrefix: prefix, caDir: join(dir, 'sandbox-ca'), packageRoot: PACKAGE_ROOT, tmpDir: dir,
        allowlist: allowlistFromObject({ domains: [], url_prefixes: [] }, 'benchmark allowlist'), egressNetwork: egress,
        warmPool,
      });
      sandboxes.push(sandbox);
      return sandbox;
    };
    const warm = sandboxWith(1);
    const cold = sandboxWith(0);
    const startup = await timeMs(() => warm.startup());
    await cold.startup();
    const phases = { attach: [], run: [], release: [] };
    const withSandbox = async (sandbox, i) => {
      const t0 = performance.now();
      const attachment = await sandbox.attach(`start-${i}`, join(dir, `ctx-${i}`));
      const t1 = performance.now();
      const env = Object.entries(attachment.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      try {
        await runtime.run(['run', '--rm', '--pull=never', ...attachment.containerArgs, ...env, BASE_IMAGE, 'true']);
      } finally {
        const t2 = performance.now();
        await attachment.release();
        if (sandbox === warm) {
          phases.attach.push(t1 - t0);
          phases.run.push(t2 - t1);
          phases.release.push(performance.now() - t2);
        }
      }
    };
    const bare = () => runtime.run(['run', '--rm', '--pull=never', '--network', 'none', BASE_IMAGE, 'true']);
    await warm.settled();
    await withSandbox(warm, 'warm-up');
    await withSandbox(cold, 'cold-up');
    await bare();
    const warmMs = [];
    const coldMs = [];
    const bareMs = [];
    for (let i = 0; i < START_RUNS; i++) {
      await warm.settled();
      warmMs.push(await timeMs(() => withSandbox(warm, `w${i}`)));
      await warm.settled();
      bareMs.push(await timeMs(bare));
      coldMs.push(await timeMs(() => withSandbox(cold, `c${i}`)));
    }
    const bareMedian = median(bareMs);
    return {
      runs: START_RUNS,
      image: BASE_IMAGE,
      packageRoot: PACKAGE_ROOT,
      sandboxStartupOnceMs: round(startup, 0),
      barePodmanRunMedianMs: round(bareMedian, 0),
      // attach + the container's `true` + release, against `podman run --rm` alone.
      warm: {
        measures: 'warm pool of 1 (the service): attach takes a prepared network + loaded proxy; release returns once the proxy stopped, removal runs in the background',
        networkSandboxRunMedianMs: round(median(warmMs), 0),
        attachMedianMs: round(median(phases.attach), 0),
        containerRunMedianMs: round(median(phases.run), 0),
        releaseMedianMs: round(median(phases.release), 0),
        ratio: round(median(warmMs) / bareMedian),
      },
      cold: {
        measures: 'no pool (one-shot airut sandbox exec): network create, proxy container start, container, full teardown',
        networkSandboxRunMedianMs: round(median(coldMs), 0),
        ratio: round(median(coldMs) / bareMedian),
      },
      target: 'warm ratio <= 2.0',
    };
  } finally {
    for (const sandbox of sandboxes) await sandbox.close?.();
    await runtime.call(['network', 'rm', '-f', egress]);
  }
}

/** Runs the proxy suite and returns its figures. */
export async function run() {
  const parts = (process.env.AIRUT_BENCH_PROXY_PARTS ?? 'throughput,bodyFilter,awsSigning,usage,proxyStart,start').split(',');
  if (parts.includes('throughput') && spawnSync('mitmdump', ['--version']).error) {
    throw new Error('mitmdump is missing: apt-get install -y mitmproxy');
  }
  const dir = await mkdtemp(join(tmpdir(), 'airut-bench-proxy-'));
  const cleanups = [];
  try {
    return {
      ...(parts.includes('proxyStart') ? { proxyStart: await proxyStart(dir) } : {}),
      ...(parts.includes('throughput') ? { throughput: await throughput(dir, cleanups) } : {}),
      ...(parts.includes('bodyFilter') ? { bodyFilter: await bodyFilter(dir, cleanups) } : {}),
      ...(parts.includes('awsSigning') ? { awsSigning: await awsSigning(dir, cleanups) } : {}),
      ...(parts.includes('usage') ? { usage: await usageAccounting({ dir, cleanups, ca: await ensureCa(join(dir, 'usage-ca')), packageRoot: PACKAGE_ROOT, proxyFlags: PROXY_FLAGS, upstreamCa: UPSTREAM_CA, root: ROOT }) } : {}),
      ...(parts.includes('start') ? { taskStart: await taskStart(dir) } : {}),
      loadAverage1m: round(loadavg()[0], 1),
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
