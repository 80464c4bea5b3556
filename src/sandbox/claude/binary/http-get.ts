import type { Dispatcher } from 'undici';
import { authorizationFor, type NpmRegistry } from './npm-registry.js';
import { ClaudeBinaryError, downloadAbortedError } from './error.js';

/** A successful (2xx) response whose body the caller must consume or destroy. */
export interface HttpResponse {
  readonly url: string;
  readonly statusCode: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly body: Dispatcher.ResponseData['body'];
}

/** How {@link httpGet} talks to the registry. */
export interface HttpGetOptions {
  registry: NpmRegistry;
  /** undici dispatcher (e.g. a ProxyAgent); the global one when omitted. */
  dispatcher?: Dispatcher | undefined;
  headers?: Record<string, string>;
  /** Limit for the response headers to arrive. */
  headersTimeoutMs?: number;
  /** Limit for the gap between two body chunks. */
  bodyTimeoutMs?: number;
  /** What is being fetched, for messages (`metadata of @x/y`). */
  what: string;
  /** Aborts the request (and the body of the response returned). */
  signal?: AbortSignal | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * GETs `url` from the registry, following redirects and adding the .npmrc
 * credentials that belong to each hop's own host.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_REGISTRY` when the registry is unreachable or answers non-2xx, `CLAUDE_BIN_ABORTED` when `signal` aborts
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'airut', ...options.headers };
    const authorization = authorizationFor(options.registry, current);
    if (authorization !== undefined) headers.authorization = authorization;
    let response: Dispatcher.ResponseData;
    try {
      // Loaded on first use: only a download needs it, and every command that touches the sandbox would pay for loading it.
      const { request } = await import('undici');
      response = await request(current, {
        method: 'GET',
        headers,
        dispatcher: options.dispatcher,
        headersTimeout: options.headersTimeoutMs ?? 30_000,
        bodyTimeout: options.bodyTimeoutMs ?? 300_000,
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal?.aborted) throw downloadAbortedError(options.what, options.signal);
      throw new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `Could not reach the npm registry for the ${options.what} at ${current}: ${(err as Error).message}`, {
        hint: `Check the network and the registry configured (${options.registry.source}: ${options.registry.url}).`,
        cause: err,
      });
    }
    const { statusCode } = response;
    if (REDIRECTS.has(statusCode)) {
      const location = response.headers.location;
      await response.body.dump();
      if (typeof location !== 'string') break;
      current = new URL(location, current).toString();
      continue;
    }
    if (statusCode < 200 || statusCode > 299) {
      await response.body.dump();
      throw new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `The npm registry answered HTTP ${statusCode} for the ${options.what} at ${current}`, {
        hint: statusHint(statusCode, options.registry),
        httpStatus: statusCode,
      });
    }
    return { url: current, statusCode, headers: response.headers, body: response.body };
  }
  throw new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `The npm registry redirected the ${options.what} request too often (last: ${current})`, {
    hint: `Check the registry configured (${options.registry.source}: ${options.registry.url}).`,
  });
}

function statusHint(status: number, registry: NpmRegistry): string {
  if (status === 401 || status === 403) {
    return `The registry ${registry.url} (${registry.source}) refused access: add a token for it to ~/.npmrc as //HOST/PATH/:_authToken=...`;
  }
  if (status === 404) {
    return `The registry ${registry.url} (${registry.source}) does not have it; a private mirror may need to proxy the @anthropic-ai packages.`;
  }
  return `The registry ${registry.url} (${registry.source}) had a problem; try again later.`;
}
