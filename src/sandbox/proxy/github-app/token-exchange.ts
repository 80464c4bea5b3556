import { request, type Agent } from 'node:https';
import type { Upstream } from '../upstream.js';

/** One HTTPS exchange with GitHub's API, as the token source needs it. */
export interface ApiRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Status and text of an API answer. */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends an {@link ApiRequest}; rejects on network failure or timeout. */
export type ApiTransport = (req: ApiRequest) => Promise<ApiResponse>;

/** Answers larger than this are refused: a token answer is a few hundred bytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** How the proxy reaches GitHub itself: its own upstream agent (verified TLS) and name resolution. */
export interface DirectTransportOptions {
  readonly agent: Agent;
  readonly lookup: Upstream['lookup'];
  /** The port used when the URL names none (443, or a test's fake server). */
  readonly defaultPort: number;
  readonly timeoutMs: number;
}

/**
 * A transport that connects straight to GitHub from the proxy (never through
 * its own listeners, so the allowlist of the task plays no part in minting).
 */
export function directTransport(options: DirectTransportOptions): ApiTransport {
  return (req) => new Promise<ApiResponse>((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const outgoing = request({
      host: req.url.hostname,
      port: req.url.port === '' ? options.defaultPort : Number(req.url.port),
      servername: req.url.hostname,
      path: `${req.url.pathname}${req.url.search}`,
      method: req.method,
      headers: { ...req.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) },
      agent: options.agent,
      lookup: options.lookup,
      timeout: options.timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          res.destroy(new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
