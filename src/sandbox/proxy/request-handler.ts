import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Transform } from 'node:stream';
import type { TLSSocket } from 'node:tls';
// The modules themselves, not the allowlist index: that one also loads the YAML parser.
import type { Allowlist } from '../network/allowlist/allowlist.js';
import { explainRequest, type Decision } from '../network/allowlist/explain.js';
import { normalizeRequestHost } from '../network/allowlist/request-target.js';
import type { BodyFilter, FilterRequest } from './body-filter.js';
import { applicableFilters, runBodyPipeline, type PipelineOutcome } from './body-pipeline.js';
import type { HeaderRewrite, RewriteHeaders } from './header-rewrite.js';
import { pathPrefixOf, type HoldGate } from './hold-gate.js';
import type { BodyBudget } from './read-body.js';
import { withoutHopByHop } from './hop-by-hop.js';
import { sendJson } from './json-response.js';
import type { AccessAnnotations, NetworkLog } from './network-log.js';
import { refusalMessage, type BudgetTrip, type TaskBudget } from './budget.js';
import { budgetCostOf, costOf, priceFor, type PriceTable } from './price-table.js';
import { UsageTap, type UsageOutcome } from './usage-tap.js';
import { readBodyForRewrite } from './read-rewrite-body.js';
import { splitRequestTarget } from './split-request-target.js';
import type { Upstream } from './upstream.js';

/** Everything a request needs, shared by all requests of one proxy. */
export interface RequestContext {
  allowlist: Allowlist;
  log: NetworkLog;
  upstream: Upstream;
  upstreamPorts: { http: number; https: number };
  rewriteHeaders: RewriteHeaders;
  /** Request-body filters, in the order they run (RBF-01). */
  bodyFilters: readonly BodyFilter[];
  /** Memory all bodies the filters read may hold at once. */
  bodyBudget: BodyBudget;
  /** Idle timeout of an upstream exchange, ms. */
  idleTimeoutMs: number;
  /** Where blocked requests wait for the host's decision; undefined: they get their 403 at once. */
  holds?: HoldGate;
  /** Prices of the Messages API responses whose usage is counted. */
  prices: PriceTable;
  /** What the task spent, against its caps. */
  budget: TaskBudget;
}

/** The host and decoded path of the Messages API calls whose responses are read for usage. */
const MESSAGES_HOST = 'api.anthropic.com';
const MESSAGES_PATH = '/v1/messages';

/** Request headers never forwarded besides hop-by-hop ones: the proxy already answered `Expect` itself. */
const DROP_REQUEST_HEADERS: ReadonlySet<string> = new Set(['expect']);

/**
 * Handles one request on the HTTP (`scheme` http) or HTTPS listener.
 *
 * The order is the security argument: establish which host the request is
 * for (SNI for TLS, else Host) and refuse any disagreement (domain fronting,
 * absolute-form targets naming another host); decide with the allowlist;
 * swap masked secrets (refusing to put a real one on a plain HTTP connection);
 * only then open an upstream connection. Exactly one access line is logged
 * per request, when its response is done.
 *
 * @param expectContinue the client sent `Expect: 100-continue`; `100 Continue`
 *   is only sent once the request is allowed, so a blocked upload never flows.
 */
export function handleRequest(ctx: RequestContext, scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
  // A client that vanishes mid-request must cost nothing but this exchange.
  req.on('error', () => undefined);
  res.on('error', () => undefined);
  const method = req.method ?? 'GET';
  const rawTarget = req.url ?? '';
  const hostHeader = req.headers.host ?? '';
  const header = normalizeRequestHost(hostHeader);
  const sni = scheme === 'https' ? normalizeSni((req.socket as TLSSocket).servername) : undefined;
  // The host everything is judged by: the TLS server name, or (plain HTTP) the Host header.
  const host = sni ?? (header.ok ? header.host : hostHeader);
  const target = splitRequestTarget(rawTarget);
  const path = target?.path ?? rawTarget;
  const url = `${scheme}://${host}${path}`;

  const annotations: AccessAnnotations = {};
  let allowed = false;
  res.once('close', () => ctx.log.access(allowed, method, url, res.headersSent ? res.statusCode : undefined, annotations));

  if (target === undefined) {
    req.resume();
    sendJson(res, 400, {
      error: 'unsupported_request_target', host, path: rawTarget, method,
      message: `The request target ${JSON.stringify(rawTarget)} is not a path ("/...") or an absolute http(s) URL without user info or fragment.`,
    }, true);
    return;
  }
  if (countHostHeaders(req.rawHeaders) > 1) {
    // Node judges by the first Host; the upstream (a CDN, say) might route by another: domain fronting.
    annotations.note = 'more than one Host header';
    req.resume();
    sendJson(res, 400, {
      error: 'host_mismatch', host, path, method,
      message: 'The request carries more than one Host header; send exactly one.',
    }, true);
    return;
  }
  if (sni !== undefined && (!header.ok || header.host !== sni)) {
    annotations.note = `host mismatch: sni=${sni}, host=${hostHeader}`;
    req.resume();
    sendJson(res, 421, {
      error: 'host_mismatch', host: sni, header_host: hostHeader, path, method,
      message: `The Host header ${JSON.stringify(hostHeader)} does not name the host this TLS connection was opened for (${sni}). Open a connection to the host you want to reach.`,
    }, true);
    return;
  }
  if (target.authority !== undefined) {
    const named = normalizeRequestHost(target.authority);
    if (!named.ok || named.host !== host) {
      annotations.note = `host mismatch: header=${host}, url=${target.authority}`;
      req.resume();
      sendJson(res, 403, {
        error: 'host_mismatch', host, url_host: target.authority, path, method,
        message: `Host mismatch: the request URL names ${JSON.stringify(target.authority)} but the request is for ${JSON.stringify(host)}.`,
      }, true);
      return;
    }
  }

  const decision = explainRequest(ctx.allowlist, { method, host, path, scheme });
  const request: AllowedRequest = { method, host, path, url, expectContinue };
  const markAllowed = (): void => { allowed = true; };
  if (!decision.allowed) {
    const refuse = (): void => {
      req.resume();
      // The reason already says what to change in which file; the hint is the YAML entry that would allow the request.
      const howTo = decision.hint === undefined ? '' : ` Suggested entry (submit it as a PR):\n${decision.hint}`;
      sendJson(res, 403, { error: 'blocked_by_network_allowlist', host, path, method, message: `${decision.reason}${howTo}` }, expectContinue);
    };
    const entry = { method: method.toUpperCase(), host, pathPrefix: pathPrefixOf(path) };
    if (ctx.holds?.isGranted(entry) === true) {
      annotations.note = 'allowed while held earlier in this run';
      sendAllowed(ctx, scheme, req, res, request, {}, annotations, markAllowed);
      return;
    }
    // Held: the body stays unread (and 100 Continue unsent) until an allow for this hold's own id.
    const held = ctx.holds?.hold(entry);
    if (held === undefined) {
      refuse();
      return;
    }
    void held.then((outcome) => {
      annotations.note = `held: ${outcome}`;
      // The client gave up waiting: nobody is left to answer (an allow still covers the entry).
      if (res.destroyed) return;
      if (outcome === 'allowed') sendAllowed(ctx, scheme, req, res, request, {}, annotations, markAllowed);
      else refuse();
    });
    return;
  }
  // A conversation approval, not the repository's allowlist, let it through: the access line says whose.
  if (decision.approval !== undefined) annotations.approvedBy = decision.approval.approvedBy;
  sendAllowed(ctx, scheme, req, res, request, decision, annotations, markAllowed);
}

/** A request the allowlist (or an allow while it was held) let through. */
interface AllowedRequest {
  method: string;
  host: string;
  path: string;
  url: string;
  expectContinue: boolean;
}

/** The body filters, credential work and upstream exchange of an allowed request; `decision` is empty for a request allowed while held. */
function sendAllowed(
  ctx: RequestContext, scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse, request: AllowedRequest,
  decision: Pick<Decision, 'decodedPath' | 'matched'>, annotations: AccessAnnotations, markAllowed: () => void,
): void {
  const { method, host, path, url, expectContinue } = request;
  const decoded = decision.decodedPath ?? path;
  const queryAt = decoded.indexOf('?');
  const countUsage = method.toUpperCase() === 'POST' && host === MESSAGES_HOST && (queryAt < 0 ? decoded : decoded.slice(0, queryAt)) === MESSAGES_PATH;
  const exchange: Exchange = { method, host, path, url, expectContinue, countUsage };
  const trip = ctx.budget.active ? ctx.budget.refusal(countUsage) : undefined;
  if (trip !== undefined) {
    // Allowed by the allowlist, so not a BLOCKED entry anyone could approve: ALLOWED with the 403 and a note, and a BUDGET line.
    markAllowed();
    annotations.note = `budget ${trip.name} reached`;
    refuseForBudget(ctx, res, exchange, trip);
    req.resume();
    return;
  }
  const forwardHeaders = withoutHopByHop(req.rawHeaders, DROP_REQUEST_HEADERS);
  const filterRequest: FilterRequest = { method: method.toUpperCase(), host, path: decision.decodedPath ?? path, matched: decision.matched, rawHeaders: forwardHeaders };
  const filters = applicableFilters(ctx.bodyFilters, filterRequest);
  if (filters.length === 0) {
    // The common case: the body streams through unread.
    sendOn(ctx, scheme, req, res, forwardHeaders, exchange, annotations, undefined, markAllowed);
    return;
  }
  // The body decides: it has to arrive first.
  if (expectContinue) res.writeContinue();
  void runBodyPipeline(req, forwardHeaders, filters, filterRequest, ctx.bodyBudget).then((outcome) => {
    annotations.filters = outcome.tags;
    if (outcome.action === 'block') {
      if (outcome.unread) req.resume();
      sendJson(res, outcome.status, outcome.block, outcome.unread);
      return;
    }
    sendOn(ctx, scheme, req, res, bodyHeaders(forwardHeaders, outcome), { ...exchange, expectContinue: false }, annotations, outcome.body, markAllowed);
  }).catch(() => {
    // The client went away mid-body (or answering it failed): nothing was sent upstream, and no one is left to answer.
    res.destroy();
  });
}

/**
 * Credential work (after the URL and body decisions), then the upstream
 * exchange: `body` is sent as is when given, else the request streams.
 */
function sendOn(
  ctx: RequestContext, scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse, headers: string[],
  ex: Exchange, annotations: AccessAnnotations, body: Buffer | undefined, markAllowed: () => void,
): void {
  let pending;
  try {
    pending = ctx.rewriteHeaders(ex.host, headers, { method: ex.method, target: ex.path, ...(body === undefined ? {} : { body }) });
  } catch (error) {
    refuseOnRewriteError(ctx, req, res, ex, error);
    return;
  }
  if (pending instanceof Promise) {
    // A token is being minted: the request (and its body, unread) waits for it.
    pending.then(
      (rewrite) => { sendRewritten(ctx, scheme, req, res, rewrite, ex, annotations, body, markAllowed); },
      (error: unknown) => { refuseOnRewriteError(ctx, req, res, ex, error); },
    );
    return;
  }
  sendRewritten(ctx, scheme, req, res, pending, ex, annotations, body, markAllowed);
}

/** A credential step that threw is a bug; the request is refused rather than sent with credentials in an unknown state. */
function refuseOnRewriteError(ctx: RequestContext, req: IncomingMessage, res: ServerResponse, ex: Exchange, error: unknown): void {
  ctx.log.error(ex.method, ex.url, `credential handling failed: ${error instanceof Error ? error.name : 'unknown error'}`);
  req.resume();
  if (res.headersSent || res.destroyed) return;
  sendJson(res, 502, {
    error: 'credential_handling_failed', host: ex.host, path: ex.path, method: ex.method,
    message: 'The proxy could not prepare the credentials of this request; it was not sent.',
  }, true);
}

function sendRewritten(
  ctx: RequestContext, scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse, rewrite: HeaderRewrite,
  ex: Exchange, annotations: AccessAnnotations, body: Buffer | undefined, markAllowed: () => void,
): void {
  const { method, host, path, url } = ex;
  if (rewrite.needsBody === true && body === undefined) {
    // The signature covers the body and the request does not carry its hash: read it, then rewrite again.
    void readBodyForRewrite(ctx, req, res, ex).then((read) => {
      if (read !== undefined) sendOn(ctx, scheme, req, res, read.headers(rewrite.rawHeaders), { ...ex, expectContinue: false }, annotations, read.body, markAllowed);
    }, () => {
      // The client went away mid-body: nothing was sent upstream, and no one is left to answer.
      res.destroy();
    });
    return;
  }
  if (rewrite.tags !== undefined) annotations.filters = [...(annotations.filters ?? []), ...rewrite.tags];
  if (rewrite.refusal !== undefined) {
    // Nothing goes upstream: not the surrogate, not the request. The allowlist did allow it,
    // so the access line says ALLOWED with the 502 and the tag; the ERROR line says why.
    markAllowed();
    ctx.log.error(method, url, rewrite.refusal.detail);
    if (body === undefined) req.resume();
    if (res.destroyed) return;
    sendJson(res, rewrite.refusal.status, { error: rewrite.refusal.error, message: rewrite.refusal.message, detail: rewrite.refusal.error }, true);
    return;
  }
  if (scheme === 'http' && rewrite.masked > 0) {
    // A real credential must never cross the egress network in clear text, where anyone on the path could read it.
    annotations.note = 'credential over plain HTTP';
    req.resume();
    sendJson(res, 403, {
      error: 'cleartext_credentials', host, path, method,
      message: `The request carries a credential the proxy fills in for ${host} (a masked secret, a GitHub App token or an AWS signature), which is only sent over HTTPS. Use https://${host}${path} instead.`,
    }, ex.expectContinue);
    return;
  }
  markAllowed();
  for (const name of rewrite.stripped) ctx.log.stripped(name, method, url);
  for (const { name, entries } of rewrite.collapsed) ctx.log.collapsed(entries, name, method, url);
  for (const line of rewrite.warnings ?? []) ctx.log.warning(line);
  annotations.masked = rewrite.masked;
  annotations.dropped = rewrite.stripped.length;
  if (rewrite.region !== undefined) annotations.region = rewrite.region;
  if (rewrite.credentials !== undefined) annotations.credentials = rewrite.credentials;
  forward(ctx, scheme, req, res, rewrite.rawHeaders, rewrite.target === undefined ? ex : { ...ex, path: rewrite.target }, annotations, body, rewrite.transformBody?.());
}

/**
 * The forwarded headers for a body the pipeline read: an exact
 * Content-Length, and no Content-Encoding when a filter rewrote the
 * (decoded) body. A request that had no body framing and no body stays so.
 */
function bodyHeaders(rawHeaders: readonly string[], outcome: Extract<PipelineOutcome, { action: 'forward' }>): string[] {
  const out: string[] = [];
  let framed = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const lower = (rawHeaders[i] as string).toLowerCase();
    if (lower === 'content-length') {
      framed = true;
      continue;
    }
    if (outcome.rewritten && lower === 'content-encoding') continue;
    out.push(rawHeaders[i] as string, rawHeaders[i + 1] as string);
  }
  if (framed || outcome.body.length > 0) out.push('content-length', String(outcome.body.length));
  return out;
}

/** One request's identity, as every step after the allowlist decision needs it. */
export interface Exchange {
  method: string;
  host: string;
  path: string;
  url: string;
  expectContinue: boolean;
  /** A Messages API call: its response is read for usage. */
  countUsage: boolean;
}

function forward(
  ctx: RequestContext, scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse, rawHeaders: string[], ex: Exchange,
  annotations: AccessAnnotations, body: Buffer | undefined, transform?: Transform,
): void {
  const common = {
    host: ex.host,
    method: ex.method,
    path: ex.path,
    headers: rawHeaders,
    setHost: false,
    lookup: ctx.upstream.lookup,
    timeout: ctx.idleTimeoutMs,
  };
  const upstreamReq = scheme === 'https'
    ? httpsRequest({ ...common, port: ctx.upstreamPorts.https, agent: ctx.upstream.https, servername: ex.host })
    : httpRequest({ ...common, port: ctx.upstreamPorts.http, agent: ctx.upstream.http });

  let clientGone = false;
  let failed = false;
  const fail = (error: Error): void => {
    if (failed || clientGone) return;
    failed = true;
    ctx.log.error(ex.method, ex.url, describeError(error));
    if (res.headersSent) {
      // Mid-body: the only honest signal left is a truncated response.
      res.destroy();
      return;
    }
    req.resume();
    sendJson(res, 502, {
      error: 'upstream_failed', host: ex.host, path: ex.path, method: ex.method,
      message: `The request was allowed, but ${ex.host} could not be reached: ${describeError(error)}.`,
    }, true);
  };

  upstreamReq.on('error', fail);
  // The agent's noDelay does not reach TLS sockets: without this, a streamed body's last small
  // write waits for the upstream's delayed ACK (about 40 ms per upload, measured with npm run bench -- proxy).
  upstreamReq.once('socket', (socket) => socket.setNoDelay(true));
  upstreamReq.on('timeout', () => upstreamReq.destroy(new Error(`no data from upstream for ${ctx.idleTimeoutMs / 1000} s`)));
  upstreamReq.on('response', (up) => {
    up.on('error', fail);
    // A second reader beside the pipe: it sees the same chunks, and holds none of them.
    annotations.bytesDown = 0;
    up.on('data', (chunk: Buffer) => {
      annotations.bytesDown = (annotations.bytesDown ?? 0) + chunk.length;
      ctx.budget.addBytes(chunk.length);
    });
    if (ex.countUsage && up.statusCode === 200) tapUsage(ctx, ex, up);
    // The upstream's own Date header is passed through; Node must not add a second one.
    res.sendDate = false;
    try {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, withoutHopByHop(up.rawHeaders));
    } catch (error) {
      up.destroy();
      fail(error as Error);
      return;
    }
    up.pipe(res);
  });
  res.once('close', () => {
    if (!res.writableFinished) {
      clientGone = !failed;
      upstreamReq.destroy();
    }
  });

  // What goes upstream: the body as sent, after any transform (AWS chunk signatures change its length).
  annotations.bytesUp = 0;
  const countUp = (chunk: Buffer): void => {
    annotations.bytesUp = (annotations.bytesUp ?? 0) + chunk.length;
    ctx.budget.addBytes(chunk.length);
  };
  if (transform !== undefined) transform.on('data', countUp);
  if (body !== undefined) {
    if (transform === undefined) {
      annotations.bytesUp = body.length;
      ctx.budget.addBytes(body.length);
      upstreamReq.end(body);
    } else {
      transform.pipe(upstreamReq);
      transform.end(body);
    }
    return;
  }
  if (ex.expectContinue) res.writeContinue();
  if (transform === undefined) req.on('data', countUp);
  if (transform === undefined) req.pipe(upstreamReq);
  else req.pipe(transform).pipe(upstreamReq);
}

/**
 * Reads the usage of a Messages API response from the same chunks the client
 * gets (a second listener beside the pipe), and logs a USAGE line, or a
 * WARNING naming the request when it cannot be read: never a reason to hold
 * up or change the response.
 */
function tapUsage(ctx: RequestContext, ex: Exchange, up: IncomingMessage): void {
  const header = (name: string): string | undefined => {
    const value = up.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const tap = new UsageTap(header('content-type'), header('content-encoding'), (outcome: UsageOutcome) => {
    if (!outcome.ok) {
      ctx.log.warning(`WARNING: usage not counted for ${ex.method} ${ex.url}: ${outcome.problem}`);
      return;
    }
    const { ok: _ok, ...tokens } = outcome;
    const price = priceFor(tokens.model, ctx.prices);
    const cost = price === undefined ? null : costOf(tokens, price);
    const counted = cost ?? budgetCostOf(tokens, ctx.prices);
    ctx.log.usage({ ...tokens, cost_usd: cost, counted_usd: counted, method: ex.method, url: ex.url });
    ctx.budget.addCost(counted);
  });
  up.on('data', (chunk: Buffer) => tap.write(chunk));
  up.once('end', () => tap.end());
  up.once('close', () => {
    if (!up.complete) tap.abort('the response was cut off before its end');
  });
}

/**
 * Answers a request a reached cap refuses. A Messages API call gets the API's
 * own error shape (`permission_error`, which Claude Code shows and does not
 * retry); any other request a JSON body like the allowlist's refusals.
 */
function refuseForBudget(ctx: RequestContext, res: ServerResponse, ex: Exchange, trip: BudgetTrip): void {
  ctx.log.budget({ ...trip, method: ex.method, url: ex.url });
  const message = refusalMessage(trip);
  if (ex.countUsage) sendJson(res, 403, { type: 'error', error: { type: 'permission_error', message } }, ex.expectContinue);
  else sendJson(res, 403, { error: 'budget_exceeded', budget: trip.name, host: ex.host, path: ex.path, method: ex.method, message }, ex.expectContinue);
}

function countHostHeaders(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

/** The SNI name, lower-case without a trailing dot; undefined when the client sent none. */
function normalizeSni(servername: string | false | null | undefined): string | undefined {
  if (typeof servername !== 'string' || servername === '') return undefined;
  const lower = servername.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `CODE: message` (Node's TLS and socket errors carry the useful part in the code). */
export function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined || error.message.includes(code) ? error.message : `${code}: ${error.message}`;
}
