/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), and
 * must not cross the proxy: the client's connection and the upstream
 * connection are negotiated separately (Node frames bodies itself, with
 * Content-Length or chunked encoding, on each side).
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/**
 * Raw header pairs (Node's flat `rawHeaders` form: name, value, name, value...)
 * without hop-by-hop headers, without the headers the `Connection` header names,
 * and without any in `extra` (lower-case). Order, case and duplicates of the
 * rest are kept, so what the upstream sees is what the client sent.
 */
export function withoutHopByHop(rawHeaders: readonly string[], extra?: ReadonlySet<string>): string[] {
  let named: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === 'connection') {
      named ??= new Set();
      for (const token of (rawHeaders[i + 1] as string).split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    // Host is what the upstream serves: a `Connection: host` must not remove it.
    if (HOP_BY_HOP.has(lower) || (named?.has(lower) === true && lower !== 'host') || extra?.has(lower)) continue;
    out.push(name, rawHeaders[i + 1] as string);
  }
  return out;
}
