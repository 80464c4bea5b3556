import type { ServerResponse } from 'node:http';

/**
 * The body of every answer the proxy itself gives (403, 405, 421, 400, 502).
 * `message` is written for the agent inside the sandbox: it says what happened
 * and what to do about it.
 */
export interface ProxyAnswer {
  error: string;
  host: string;
  path: string;
  method: string;
  message: string;
  [extra: string]: string;
}

/**
 * The answer to a request a body filter blocked (RBF-01): the same three
 * fields the original Airut sends.
 */
export interface FilterAnswer {
  error: string;
  message: string;
  detail: string;
}

/** The Messages API's own error shape, for refusals of its calls that Claude Code must show as they are. */
export interface ApiErrorAnswer {
  type: 'error';
  error: { type: string; message: string };
}

/**
 * Sends `body` as JSON with an exact Content-Length. `close` ends the
 * connection afterwards (the client may have sent something the next request
 * must not be parsed from, or is talking to the wrong host).
 */
export function sendJson(res: ServerResponse, status: number, body: ProxyAnswer | FilterAnswer | ApiErrorAnswer, close = false): void {
  const text = `${JSON.stringify(body)}\n`;
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}
