import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { startDnsResponder, type DnsResponder } from './dns-responder.js';
import { graphqlOperationFilter } from './graphql-filter.js';
import { loadParser } from './graphql-request.js';
import { keepHeaders, type RewriteHeaders } from './header-rewrite.js';
import type { HoldGate } from './hold-gate.js';
import { LeafCertificates } from './leaf-certificates.js';
import { NetworkLog } from './network-log.js';
import { TaskBudget } from './budget.js';
import { DEFAULT_PRICES } from './price-table.js';
import { BodyBudget } from './read-body.js';
import type { ProxyConfig, ProxyTask } from './proxy-config.js';
import { ProxyError } from './proxy-error.js';
import type { NetworkLogEvent } from '../network/proxy-events.js';
import { describeError, handleRequest, type RequestContext } from './request-handler.js';
import { loadCredentials, type LoadedCredentials } from './secret-rewriter.js';
import { toolDomainFilter } from './tool-domain-filter.js';
import { createUpstream } from './upstream.js';
import { directTransport } from './github-app/token-exchange.js';

/** Seams of {@link startProxy}. */
export interface StartProxyOptions {
  /** Receives every network log line as it is written (the program prints them on stdout). */
  onEvent?: (event: NetworkLogEvent) => void;
  now?: () => Date;
  /** Reads the CA, upstream CA and secrets files. */
  readText?: (path: string) => string;
  /** A DNS name the responder answers without logging it: the proxy's own health queries. */
  healthQueryName?: string;
  /** Where blocked requests wait for a decision (the program's stdin); without it they are refused at once. */
  holds?: HoldGate;
}

/** A running proxy. */
export interface RunningProxy {
  /** The bound ports (the configured ones, or the picked ones where 0 was configured). */
  readonly ports: { http: number; https: number; dns: number };
  /** Stops listening, drops open connections and closes the log. */
  close(): Promise<void>;
}

/** Request headers beyond this size are refused (431) before any handling. */
const MAX_HEADER_BYTES = 32 * 1024;
/** Time allowed for a request's headers to arrive. */
const HEADERS_TIMEOUT_MS = 30_000;
/** Idle keep-alive connections from the sandbox are kept this long (longer than common client pools keep theirs). */
const KEEP_ALIVE_TIMEOUT_MS = 75_000;
/** How long minting a GitHub App token may take before the request waiting for it gets a 502. */
const TOKEN_EXCHANGE_TIMEOUT_MS = 30_000;

/** A connection or upstream exchange with no traffic for this long is dropped (SSE streams send pings well within it). */
const IDLE_TIMEOUT_MS = 600_000;
const TLS_HANDSHAKE_TIMEOUT_MS = 15_000;
/**
 * Request bodies the body filters may hold at once, all requests together:
 * two of the largest Messages API bodies (32 MiB each) and change.
 */
const BODY_BUDGET_BYTES = 80 * 1024 * 1024;
/**
 * Connections accepted per listener. Proxy containers run with nofile 1024;
 * two listeners plus the upstream pool (see upstream.ts) stay below it, so a
 * task opening sockets in a loop meets refused connections, not a proxy
 * that can no longer open files.
 */
const MAX_CONNECTIONS_PER_LISTENER = 256;

/** A proxy that has loaded its CA and set up its servers, but listens on nothing yet. */
export interface PreparedProxy {
  /**
   * Takes the task's allowlist and secrets, writes the task start line and
   * binds the listeners. Once only.
   * @throws ProxyError when the secrets file is unusable or a port cannot be bound
   */
  listen(task: ProxyTask): Promise<RunningProxy>;
  /** Releases what was prepared, for a proxy that never listened. */
  close(): void;
}

/**
 * Starts the sandbox's network gate: DNS on UDP, HTTP and HTTPS on TCP, all on
 * `config.listenAddress`. Files named in the config are read once, here: the
 * host deletes the secrets file while the task runs.
 *
 * @throws ProxyError when a file is unusable or a port cannot be bound
 */
export async function startProxy(config: ProxyConfig, options: StartProxyOptions = {}): Promise<RunningProxy> {
  const prepared = await prepareProxy(config, options);
  return prepared.listen({ allowlist: config.allowlist, secretsFile: config.secretsFile });
}

/**
 * Does everything of a start that needs no task: reads the CA and the
 * upstream CA, opens the log file (if any), creates the servers. Nothing is
 * bound, so nothing is served, until {@link PreparedProxy.listen} gets the
 * task's allowlist. `config.allowlist` and `config.secretsFile` are not used.
 *
 * @throws ProxyError when a file is unusable
 */
export async function prepareProxy(config: ProxyConfig, options: StartProxyOptions = {}): Promise<PreparedProxy> {
  const readText = options.readText ?? ((path: string) => readFileSync(path, 'utf8'));
  const now = options.now ?? (() => new Date());

  const leaves = await loadLeaves(config, readText, now);
  const extraCaPem = config.upstreamCaFile === undefined ? undefined : readOrFail(readText, config.upstreamCaFile, 'PROXY_CA_UNREADABLE', 'upstream_ca_file');

  let log: NetworkLog;
  try {
    log = new NetworkLog(config.logFile, { onEvent: options.onEvent, now });
  } catch (cause) {
    throw new ProxyError('PROXY_LOG_UNWRITABLE', `Cannot open the network log ${config.logFile} for appending: ${(cause as Error).message}.`, {
      hint: 'The host mounts the task\'s network-sandbox.log read-write into the proxy container; check that mount.',
      cause,
    });
  }

  const upstream = createUpstream({ hosts: config.upstreamHosts, dns: config.upstreamDns, extraCaPem, idleTimeoutMs: IDLE_TIMEOUT_MS });
  // Set by listen(); the servers accept nothing before.
  let ctx: RequestContext | undefined;
  const handle = (scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void => {
    if (ctx === undefined) {
      res.destroy();
      return;
    }
    handleRequest(ctx, scheme, req, res, expectContinue);
  };

  const serverOptions = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: HEADERS_TIMEOUT_MS,
    // Uploads (git pushes, large request bodies) may legitimately take long; idleness is what is bounded.
    requestTimeout: 0,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // A request without Host is refused by the handler instead, so that it is logged like every other.
    requireHostHeader: false,
  };
  const http = createHttpServer(serverOptions);
  const https = createHttpsServer({
    ...serverOptions,
    minVersion: 'TLSv1.2',
    ALPNProtocols: ['http/1.1'],
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
    SNICallback: (servername, callback) => {
      const name = servername.toLowerCase().replace(/\.$/, '');
      if (!LeafCertificates.isValidName(name)) {
        callback(new Error(`refusing TLS for the server name ${JSON.stringify(servername)}: not a DNS host name`));
        return;
      }
      leaves.contextFor(name).then((context) => callback(null, context), (error: Error) => callback(error));
    },
  });
  for (const [server, scheme] of [[http, 'http'], [https, 'https']] as const) {
    server.timeout = IDLE_TIMEOUT_MS;
    server.maxConnections = MAX_CONNECTIONS_PER_LISTENER;
    server.maxHeadersCount = 256;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => handle(scheme, req, res, false));
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => handle(scheme, req, res, true));
    server.on('connect', (req: IncomingMessage, socket: Duplex) => refuseConnect(log, req, socket));
    // After listen, errors are per-accept (EMFILE and the like): log them, keep serving.
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (server.listening) log.error('ACCEPT', `${scheme}://${config.listenAddress}`, describeError(error));
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(log, error, socket));
  }
  // No SNI means no certificate to present: the handshake fails, and that is logged here.
  https.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
    if (isQuietDisconnect(error)) return;
    // A refused server name has already torn the socket down: name the host asked for, else the peer (an address, not a URL).
    const servername = typeof socket.servername === 'string' && socket.servername !== '' ? socket.servername : undefined;
    if (servername === undefined) log.clientError(socket.remoteAddress ?? 'unknown-peer', undefined, tlsProblem(error, servername));
    else log.error('TLS', `https://${servername}`, tlsProblem(error, servername));
  });

  const release = (): void => {
    upstream.close();
    log.close();
  };
  return {
    close: release,
    listen: async (task) => {
      if (ctx !== undefined) throw new Error('the proxy is already listening');
      const credentials: LoadedCredentials = task.secretsFile === undefined
        ? { rewriteHeaders: keepHeaders, bodyFilters: [], needsGraphql: false }
        : loadCredentials(readOrFail(readText, task.secretsFile, 'PROXY_SECRETS_UNREADABLE', 'secrets_file'), task.secretsFile,
          directTransport({ agent: upstream.https, lookup: upstream.lookup, defaultPort: config.upstreamPorts.https, timeoutMs: TOKEN_EXCHANGE_TIMEOUT_MS }), now);
      const rewriteHeaders: RewriteHeaders = credentials.rewriteHeaders;
      if (credentials.needsGraphql || task.allowlist.urlPrefixes.some((rule) => rule.graphql !== undefined)) await loadGraphql();
      // Registration order is run order (RBF-01): the operation check sees the body as sent; the repository scope last, on what goes upstream.
      const bodyFilters = [graphqlOperationFilter(), toolDomainFilter(task.allowlist), ...credentials.bodyFilters];
      ctx = { allowlist: task.allowlist, log, upstream, upstreamPorts: config.upstreamPorts, rewriteHeaders, bodyFilters, bodyBudget: new BodyBudget(BODY_BUDGET_BYTES), idleTimeoutMs: IDLE_TIMEOUT_MS,
        prices: task.prices ?? DEFAULT_PRICES, budget: new TaskBudget(task.budgets ?? []) };
      if (options.holds !== undefined) ctx.holds = options.holds;
      log.taskStart();

      let dns: DnsResponder | undefined;
      try {
        await listen(http, config.listenAddress, config.httpPort);
        await listen(https, config.listenAddress, config.httpsPort);
        dns = await startDnsResponder({ address: config.listenAddress, port: config.dnsPort, answer: config.proxyIp, ttl: config.dnsTtl, log, quietName: options.healthQueryName });
      } catch (cause) {
        await closeServer(http);
        await closeServer(https);
        release();
        throw new ProxyError('PROXY_LISTEN_FAILED', `Cannot listen on ${config.listenAddress} (HTTP ${config.httpPort}, HTTPS ${config.httpsPort}, DNS ${config.dnsPort}/udp): ${(cause as Error).message}.`, {
          hint: 'Another process holds the port, or the program lacks the privilege to bind ports below 1024.',
          cause,
        });
      }
      const running = dns;
      return {
        ports: { http: (http.address() as AddressInfo).port, https: (https.address() as AddressInfo).port, dns: running.port },
        close: async () => {
          await Promise.all([closeServer(http), closeServer(https), running.close()]);
          release();
        },
      };
    },
  };
}

async function loadLeaves(config: ProxyConfig, readText: (path: string) => string, now: () => Date): Promise<LeafCertificates> {
  const certPem = readOrFail(readText, config.caCertFile, 'PROXY_CA_UNREADABLE', 'ca_cert_file');
  const keyPem = readOrFail(readText, config.caKeyFile, 'PROXY_CA_UNREADABLE', 'ca_key_file');
  try {
    return await LeafCertificates.create(certPem, keyPem, now);
  } catch (cause) {
    throw new ProxyError('PROXY_CA_UNREADABLE', `The CA ${config.caCertFile} / ${config.caKeyFile} cannot be used to sign certificates: ${(cause as Error).message}.`, {
      hint: 'They must be the PEM certificate and PKCS#8 PEM key Airut generated (ensureCa).',
      cause,
    });
  }
}

async function loadGraphql(): Promise<void> {
  try {
    await loadParser();
  } catch (cause) {
    throw new ProxyError('PROXY_GRAPHQL_UNAVAILABLE', `The allowlist has a graphql: block or a GitHub App is limited to repositories, but the graphql package cannot be loaded: ${(cause as Error).message}.`, {
      hint: 'The proxy runs from the Airut package root mounted at /opt/airut; graphql must be installed in its node_modules (reinstall Airut).',
      cause,
    });
  }
}

function readOrFail(readText: (path: string) => string, path: string, code: string, key: string): string {
  try {
    return readText(path);
  } catch (cause) {
    throw new ProxyError(code, `Cannot read ${path} (config key ${key}): ${(cause as Error).message}.`, {
      hint: 'The host mounts it into the proxy container; check the mount and the path in the proxy config.',
      cause,
    });
  }
}

function refuseConnect(log: NetworkLog, req: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => undefined);
  const target = req.url ?? '';
  const body = `${JSON.stringify({
    error: 'connect_not_allowed',
    host: target,
    path: '',
    method: 'CONNECT',
    message: 'CONNECT tunnelling is not allowed. No proxy settings are needed in the sandbox: connect to the host directly, and its allowlist entry decides.',
  })}\n`;
  socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  log.access(false, 'CONNECT', target, 405, { note: 'tunnelling not allowed' });
}

/** Parser errors whose packet starts with the request line the client sent (so it is worth quoting). */
const REQUEST_LINE_ERRORS = new Set(['HPE_INVALID_METHOD', 'HPE_INVALID_URL', 'HPE_INVALID_VERSION', 'HPE_INVALID_CONSTANT']);
/** What a request line looks like: method, target, version. */
const REQUEST_LINE = /^[!-~]+ [!-~]+ HTTP\/\d\.\d$/;
const MAX_QUOTED_LINE = 200;

/**
 * The request line of the bytes the parser failed on, when they hold one:
 * the packet is the chunk being parsed, which for a header overflow may be a
 * later chunk with no request line at all.
 */
function requestLineOf(error: NodeJS.ErrnoException & { rawPacket?: unknown }): string | undefined {
  if (!Buffer.isBuffer(error.rawPacket)) return undefined;
  const first = error.rawPacket.subarray(0, MAX_QUOTED_LINE * 2).toString('latin1').split(/\r?\n/)[0] ?? '';
  if (first === '' || !(REQUEST_LINE.test(first) || REQUEST_LINE_ERRORS.has(error.code ?? ''))) return undefined;
  return first.length > MAX_QUOTED_LINE ? `${first.slice(0, MAX_QUOTED_LINE)}...` : first;
}

/** What went wrong with a client's request, in words, with the parser's code for reference. */
function clientProblem(error: NodeJS.ErrnoException, status: number | undefined): string {
  const code = error.code ?? 'unknown';
  if (status === undefined) return `the client closed the connection in the middle of a request (${code})`;
  const what = status === 431 ? 'request headers too large' : status === 408 ? 'request headers did not arrive in time' : 'malformed request';
  return `${status} ${what} (${code}: ${error.message.replace(/^Parse Error: /, '')})`;
}

function answerClientError(log: NetworkLog, error: NodeJS.ErrnoException, socket: Duplex): void {
  socket.on('error', () => undefined);
  if (isQuietDisconnect(error)) {
    socket.destroy();
    return;
  }
  const peer = (socket as Socket).remoteAddress ?? 'unknown-peer';
  // The client went away (or half-closed) before its request was complete: there is nobody to answer.
  if (error.code === 'HPE_INVALID_EOF_STATE') {
    log.clientError(peer, requestLineOf(error), clientProblem(error, undefined));
    socket.destroy();
    return;
  }
  // A socket that can no longer be written (a failed TLS handshake, already logged) gets nothing more.
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  log.clientError(peer, requestLineOf(error), clientProblem(error, status));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}

/** A peer closing its side is not worth a log line (health checks connect and leave). */
function isQuietDisconnect(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNRESET' || error.code === 'EPIPE';
}

function tlsProblem(error: Error, servername: string | undefined): string {
  if (servername === undefined) {
    return `TLS handshake refused: the client sent no server name (SNI), so there is no host to check (${describeError(error)})`;
  }
  return `handshake failed: ${describeError(error)}`;
}

async function listen(server: Server, address: string, port: number): Promise<void> {
  const listening = once(server, 'listening');
  server.listen(port, address);
  await listening;
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
