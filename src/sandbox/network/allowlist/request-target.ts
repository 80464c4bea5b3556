/**
 * Normalising what a request names (host and path) before it is matched, so the
 * allowlist judges the same resource the upstream server will serve.
 *
 * The proxy forwards the path exactly as the client sent it; these functions
 * only decide. A path the allowlist and a server could read differently is
 * rejected outright rather than "fixed".
 */

/** A path ready for matching, or the reason it can never be allowed. */
export type NormalizedPath =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly problem: string };

/** A host ready for matching, or the reason it can never be allowed. */
export type NormalizedHost =
  | { readonly ok: true; readonly host: string }
  | { readonly ok: false; readonly problem: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Percent-decode once, as the original does: `%41` becomes `A`, `%252F`
 * becomes `%2F` (not `/`). A `%` not followed by two hex digits stays as it is.
 * Returns undefined when the decoded bytes are not UTF-8.
 */
function percentDecodeOnce(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const code = raw.charCodeAt(i);
    if (code === 0x25 && i + 2 < raw.length && hexValue(raw.charCodeAt(i + 1)) >= 0 && hexValue(raw.charCodeAt(i + 2)) >= 0) {
      bytes.push(hexValue(raw.charCodeAt(i + 1)) * 16 + hexValue(raw.charCodeAt(i + 2)));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      const cp = raw.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      for (const byte of Buffer.from(ch, 'utf8')) bytes.push(byte);
      i += ch.length - 1;
    }
  }
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    // Invalid UTF-8 cannot be matched faithfully against a pattern: refuse it.
    return undefined;
  }
}

/**
 * Decode `rawPath` (path plus query string, as sent on the request line) once
 * and check it for the tricks that make a server resolve a different resource
 * than the pattern saw (ALW-03):
 *
 * - NUL: C-based servers truncate at it.
 * - Backslash: some routers turn `\` into `/` before resolving `..`.
 * - A `..` segment (`/../`, a trailing `/..`, and Tomcat's `..;param`): servers
 *   resolve it, the matcher does not.
 * - `%2e`, `%2f`, `%5c` or `%00` still present AFTER the one decode, i.e. a
 *   double-encoded dot, slash, backslash or NUL. Servers and frameworks that
 *   decode twice (or proxies chained in front of them) would turn
 *   `%252e%252e` into `..`; no ordinary client double-encodes these, so
 *   refusing them closes that door at no cost.
 * - `%uXXXX` escapes, which IIS-style servers decode (`%u002e` is ".").
 * - Bytes that are not UTF-8 after decoding, which also refuses overlong
 *   forms such as `%c0%ae` (a disguised ".").
 *
 * The query string is part of what is matched, as in the original, so a rule
 * `path: /graphql` does not match `/graphql?x=1`.
 */
export function normalizeRequestPath(rawPath: string): NormalizedPath {
  const path = percentDecodeOnce(rawPath);
  if (path === undefined) {
    return { ok: false, problem: 'the path is not valid UTF-8 after percent-decoding' };
  }
  if (path.includes('\0')) {
    return { ok: false, problem: 'the path contains a NUL byte' };
  }
  if (path.includes('\\')) {
    return { ok: false, problem: 'the path contains a backslash, which some servers read as "/"' };
  }
  const queryAt = path.indexOf('?');
  const pathPart = queryAt < 0 ? path : path.slice(0, queryAt);
  const traversal = path.includes('/../') || path.endsWith('/..')
    || pathPart.split('/').some((segment) => segment === '..' || segment.startsWith('..;'));
  if (traversal) {
    return { ok: false, problem: 'the path contains a ".." segment, which the server would resolve to another path' };
  }
  if (/%(2e|2f|5c|00)/i.test(path)) {
    return { ok: false, problem: 'the path contains a double-encoded ".", "/", "\\" or NUL' };
  }
  if (/%u[0-9a-f]{4}/i.test(path)) {
    return { ok: false, problem: 'the path contains a %u escape, which some servers decode to "." or "/"' };
  }
  return { ok: true, path };
}

const HOST_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/;

/**
 * Normalise the host a request is for (from SNI or the Host header): lower
 * case, without a `:port`, without one trailing dot (`example.com.` is the same
 * DNS name as `example.com`). Anything that is not a plain ASCII host name or
 * a bracketed IPv6 literal is refused: internationalised names arrive as
 * `xn--` labels from every client that does IDNA.
 */
export function normalizeRequestHost(rawHost: string): NormalizedHost {
  let host = rawHost.toLowerCase();
  const port = /:(\d{1,5})$/.exec(host);
  if (port !== null && (host.startsWith('[') ? host.slice(0, port.index).endsWith(']') : !host.slice(0, port.index).includes(':'))) {
    host = host.slice(0, port.index);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (HOST_NAME.test(host) || IPV6_LITERAL.test(host)) {
    return { ok: true, host };
  }
  return { ok: false, problem: `the host ${JSON.stringify(rawHost)} is not a valid host name` };
}
