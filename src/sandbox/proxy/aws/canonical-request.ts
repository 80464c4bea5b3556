/**
 * The SigV4 canonical request (AWS-03), built from a request as it travels
 * on the wire. Pure functions: the re-signer and its tests share them.
 */

/** Characters RFC 3986 leaves unreserved: the only ones SigV4 does not percent-encode. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** How a path becomes the canonical URI. */
export interface UriRules {
  /**
   * Percent-decode the wire path before encoding it (once). S3 does this;
   * every other service encodes the wire path as it is, so a `%` in it
   * becomes `%25` (the double encoding the SDKs apply).
   */
  readonly decodeFirst: boolean;
  /** Drop `.`, `..` and empty segments (every service but S3). */
  readonly normalize: boolean;
}

/** S3 signs the object key as named: `//`, `.` and `..` are part of it. */
export const S3_URI_RULES: UriRules = { decodeFirst: true, normalize: false };
/** Every other service. */
export const DEFAULT_URI_RULES: UriRules = { decodeFirst: false, normalize: true };

/** The rules for `service` (the credential scope's service name). */
export function uriRulesFor(service: string): UriRules {
  return service === 's3' ? S3_URI_RULES : DEFAULT_URI_RULES;
}

/** `text`'s UTF-8 bytes percent-encoded, except unreserved characters (and `/` when `keepSlash`). */
export function encodeRfc3986(text: string, keepSlash = false): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char) || (keepSlash && char === '/')) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Percent-decodes `text`; a `%` not followed by two hex digits stays as it
 * is, and decoded bytes that are not UTF-8 become U+FFFD (such a name cannot
 * be signed the way the client meant, and upstream will say so).
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    for (const byte of Buffer.from(text[i] as string, 'utf8')) bytes.push(byte);
  }
  return Buffer.from(bytes).toString('utf8');
}

function normalizePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

/** The canonical URI of the wire path `path` (no query). */
export function canonicalUri(path: string, rules: UriRules): string {
  let out = rules.decodeFirst ? percentDecode(path) : path;
  if (rules.normalize) out = normalizePath(out);
  if (out === '') out = '/';
  return encodeRfc3986(out, true);
}

/**
 * The canonical query string of the wire query `query` (without `?`): each
 * name and value decoded then encoded per RFC 3986, sorted by name then
 * value, `X-Amz-Signature` left out (a presigned URL's own signature). `+`
 * is taken literally: the SDKs encode a space as `%20`.
 */
export function canonicalQuery(query: string): string {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = encodeRfc3986(percentDecode(eq < 0 ? part : part.slice(0, eq)));
    if (name === 'X-Amz-Signature') continue;
    pairs.push([name, eq < 0 ? '' : encodeRfc3986(percentDecode(part.slice(eq + 1)))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header value as signed: surrounding whitespace trimmed, inner runs of whitespace one space. */
function canonicalValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ');
}

/**
 * The canonical header block (`name:value\n` per signed header, in the
 * order of `signedHeaders`, which must be sorted and lower-case). Several
 * entries of one name are joined with `,` in wire order; `host` takes only
 * its first entry. A signed header missing from the request is an error:
 * the client signed something that is not there.
 *
 * @param rawHeaders Node's flat raw header list
 * @throws Error naming the missing header
 */
export function canonicalHeaders(rawHeaders: readonly string[], signedHeaders: readonly string[]): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const lower = (rawHeaders[i] as string).toLowerCase();
    const list = values.get(lower);
    if (list === undefined) values.set(lower, [rawHeaders[i + 1] as string]);
    else list.push(rawHeaders[i + 1] as string);
  }
  let out = '';
  for (const name of signedHeaders) {
    const list = values.get(name);
    if (list === undefined) throw new Error(`the signed header ${JSON.stringify(name)} is not in the request`);
    const kept = name === 'host' ? list.slice(0, 1) : list;
    out += `${name}:${kept.map(canonicalValue).join(',')}\n`;
  }
  return out;
}

/** The parts a canonical request is made of. */
export interface CanonicalRequestParts {
  readonly method: string;
  /** The request target as on the wire: path and optional `?query`. */
  readonly target: string;
  /** Node's flat raw header list (after any token swap). */
  readonly rawHeaders: readonly string[];
  /** Sorted, lower-case, as in `SignedHeaders=`. */
  readonly signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, or a literal such as `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
  readonly uriRules: UriRules;
}

/** The canonical request text (AWS-03). @throws Error when a signed header is missing */
export function buildCanonicalRequest(parts: CanonicalRequestParts): string {
  const q = parts.target.indexOf('?');
  const path = q < 0 ? parts.target : parts.target.slice(0, q);
  const query = q < 0 ? '' : parts.target.slice(q + 1);
  return [
    parts.method,
    canonicalUri(path, parts.uriRules),
    canonicalQuery(query),
    canonicalHeaders(parts.rawHeaders, parts.signedHeaders),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}
