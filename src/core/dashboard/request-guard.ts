import type { IncomingMessage } from 'node:http';

/** Header every state-changing request must carry; cross-origin pages cannot set it without a CORS preflight we never grant. */
export const REQUEST_HEADER = 'x-airut-request';

/** Why a request was refused, or undefined when it may proceed. */
export type GuardRefusal = { status: number; error: string; message: string } | undefined;

/**
 * Refuses requests whose Host is not one the dashboard is served as, so a
 * DNS-rebinding page cannot read the API through its own name.
 */
export function checkHost(req: IncomingMessage, allowedHosts: ReadonlySet<string>): GuardRefusal {
  const host = (req.headers.host ?? '').toLowerCase();
  if (allowedHosts.has(host)) return undefined;
  return { status: 421, error: 'unknown_host', message: `Host "${host}" is not an address of this dashboard (expected one of ${[...allowedHosts].join(', ')})` };
}

/**
 * CSRF check for POST/PUT/DELETE: the custom header must be present, and a
 * browser's Origin and Sec-Fetch-Site (when sent) must say same-origin.
 */
export function checkSameOrigin(req: IncomingMessage): GuardRefusal {
  if (req.headers[REQUEST_HEADER] !== '1') {
    return { status: 403, error: 'csrf', message: `state-changing requests need the header "X-Airut-Request: 1"` };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, error: 'csrf', message: `cross-site request refused (Sec-Fetch-Site: ${site})` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
    return { status: 403, error: 'csrf', message: `cross-origin request refused (Origin: ${origin})` };
  }
  return undefined;
}

/** Host header values the dashboard answers to when listening on `host:port`. */
export function allowedHostsFor(host: string, port: number): Set<string> {
  const names = new Set([host, host.includes(':') ? `[${host}]` : host, 'localhost', '127.0.0.1', '[::1]']);
  const out = new Set<string>();
  for (const name of names) out.add(`${name.toLowerCase()}:${port}`);
  return out;
}
