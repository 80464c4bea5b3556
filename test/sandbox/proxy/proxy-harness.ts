/**
 * Shared pieces of the proxy tests: fake HTTPS upstreams on 127.0.0.1 with the
 * committed test PKI, a proxy started in-process on ephemeral ports, and a
 * client that reaches it the way a sandboxed tool does (DNS says every name is
 * the proxy; TLS with SNI; trusting Airut's CA).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { createServer as createHttpsServer, request as httpsRequest, type Agent } from 'node:https';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Test } from 'tap';
import { ensureCa } from '../../../src/sandbox/network/ca/index.js';
import { parseProxyConfig, prepareProxy, type NetworkLogEvent, type RunningProxy } from '../../../src/sandbox/proxy/index.js';
import { parsePrices } from '../../../src/sandbox/proxy/price-table.js';
import { parseBudgetCaps } from '../../../src/sandbox/proxy/budget-caps.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'tls');
/** CA of the fake upstreams (given to the proxy as upstream_ca_file). */
export const UPSTREAM_CA_FILE = join(FIXTURES, 'upstream-ca.pem');
/**
 * The frozen clock of every proxy test (the moment the test file loaded): log
 * lines are predictable, and minted certificates are still valid today.
 */
export const FIXED_NOW = new Date();
/** The first line of every test proxy's log. */
export const START = `=== TASK START ${FIXED_NOW.toISOString().replace(/\.\d{3}Z$/, 'Z')} ===\n`;

/** A request as a fake upstream saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A fake upstream server and what it received. */
export interface FakeUpstream {
  port: number;
  seen: SeenRequest[];
  /** TCP connections accepted so far. */
  connections: () => number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

const echo: Handler = (req, res, body) => {
  const text = JSON.stringify({ method: req.method, url: req.url, bytes: body.length });
  res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
  res.end(text);
};

/**
 * Starts an HTTPS (default) or plain HTTP upstream on 127.0.0.1:0. It buffers
 * each request body (it is the oracle, not the thing under test) unless
 * `raw` handles the request itself.
 */
export async function startUpstream(t: Test, options: { handler?: Handler; raw?: (req: IncomingMessage, res: ServerResponse) => void; tls?: 'trusted' | 'untrusted' | 'none' } = {}): Promise<FakeUpstream> {
  const seen: SeenRequest[] = [];
  let connections = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (options.raw !== undefined) {
      options.raw(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers, body });
      (options.handler ?? echo)(req, res, body);
    });
  };
  const tls = options.tls ?? 'trusted';
  let server: Server;
  if (tls === 'none') {
    server = createHttpServer(onRequest);
  } else {
    const name = tls === 'trusted' ? 'upstream-server' : 'untrusted-server';
    server = createHttpsServer({ key: readFileSync(join(FIXTURES, `${name}.key`)), cert: readFileSync(join(FIXTURES, `${name}.pem`)) }, onRequest);
    server.on('secureConnection', () => connections++);
  }
  if (tls === 'none') server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { port: (server.address() as AddressInfo).port, seen, connections: () => connections };
}

/** A proxy under test and the files around it. */
export interface TestProxy {
  proxy: RunningProxy;
  caPem: string;
  logPath: string;
  events: NetworkLogEvent[];
  /** The whole network log. */
  logText: () => string;
  /** The first event (already seen or still to come) that `match` accepts. */
  nextEvent: (match: (event: NetworkLogEvent) => boolean) => Promise<NetworkLogEvent>;
}

/**
 * Starts the proxy in-process on 127.0.0.1 with ephemeral ports. `allowed.test`,
 * `secret.test`, `other.test` and `untrusted.test` all map to 127.0.0.1; the
 * upstream ports point at `httpsPort` / `httpPort`.
 */
export async function startTestProxy(t: Test, options: {
  allowlist: unknown;
  httpsPort: number;
  httpPort?: number;
  secretsFile?: string;
  extra?: Record<string, unknown>;
  /** The task config's `prices`, as the task file would give them. */
  prices?: unknown;
  /** The task config's `budgets`, as the task file would give them. */
  budgets?: unknown;
}): Promise<TestProxy> {
  // Not t.testdir(): a test may already hold its own fixtures there (t.testdir() recreates it).
  const dir = await mkdtemp(join(tmpdir(), 'airut-proxy-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await ensureCa(join(dir, 'ca'));
  const logPath = join(dir, 'network-sandbox.log');
  const config = parseProxyConfig({
    listen_address: '127.0.0.1',
    http_port: 0,
    https_port: 0,
    dns_port: 0,
    proxy_ip: '10.199.7.100',
    allowlist: options.allowlist,
    secrets_file: options.secretsFile ?? null,
    ca_cert_file: ca.certPath,
    ca_key_file: ca.keyPath,
    upstream_hosts: { 'allowed.test': '127.0.0.1', 'secret.test': '127.0.0.1', 'other.test': '127.0.0.1', 'untrusted.test': '127.0.0.1' },
    upstream_dns: null,
    upstream_ca_file: UPSTREAM_CA_FILE,
    upstream_ports: { https: options.httpsPort, http: options.httpPort ?? 1 },
    log_file: logPath,
    ...options.extra,
  }, 'test config');
  const events: NetworkLogEvent[] = [];
  const waiters: { match: (event: NetworkLogEvent) => boolean; resolve: (event: NetworkLogEvent) => void }[] = [];
  const onEvent = (event: NetworkLogEvent): void => {
    events.push(event);
    for (const waiter of waiters.filter((w) => w.match(event))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  };
  const prepared = await prepareProxy(config, { now: () => FIXED_NOW, onEvent });
  const proxy = await prepared.listen({ allowlist: config.allowlist, secretsFile: config.secretsFile, prices: parsePrices(options.prices, 'test task'),
    budgets: parseBudgetCaps(options.budgets, 'test task') });
  t.teardown(() => proxy.close());
  const nextEvent = (match: (event: NetworkLogEvent) => boolean): Promise<NetworkLogEvent> => {
    const seen = events.find(match);
    return seen === undefined ? new Promise((resolve) => waiters.push({ match, resolve })) : Promise.resolve(seen);
  };
  return { proxy, caPem: ca.certPem, logPath, events, logText: () => readFileSync(logPath, 'utf8'), nextEvent };
}

/** A response as the client saw it. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body exactly as received (not decoded). */
  bytes: Buffer;
  reusedSocket: boolean;
}

/**
 * Sends a request the way a tool in the sandbox would: the name resolves to
 * the proxy, TLS carries the name as SNI, and Airut's CA is trusted.
 */
export async function send(tp: TestProxy, options: {
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string | string[]> | string[];
  body?: Buffer | string;
  scheme?: 'https' | 'http';
  agent?: Agent;
  servername?: string;
}): Promise<ClientResponse> {
  const scheme = options.scheme ?? 'https';
  const common = {
    host: options.host,
    port: scheme === 'https' ? tp.proxy.ports.https : tp.proxy.ports.http,
    method: options.method ?? 'GET',
    path: options.path ?? '/',
    headers: options.headers ?? {},
    // What the sandbox's DNS does: every name is the proxy.
    lookup: (_name: string, opts: { all?: boolean }, cb: (err: null, address: string | { address: string; family: number }[], family?: number) => void) => {
      if (opts.all === true) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    },
  };
  const req = scheme === 'https'
    // Node would take SNI from a Host header given in `headers`; a fronting test needs them to differ.
    ? httpsRequest({ ...common, ca: tp.caPem, agent: options.agent ?? false, servername: options.servername ?? options.host })
    : httpRequest({ ...common, agent: false });
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return { status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes, reusedSocket: req.reusedSocket };
}
