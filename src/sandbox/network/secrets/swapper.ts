import { compilePattern, hasGlobCharacters, type PatternMatcher } from '../allowlist/pattern.js';
import { normalizeRequestHost } from '../allowlist/request-target.js';
import { decodeBasicAuth, encodeBasicAuth } from './basic-auth.js';
import type { SurrogatePair } from './masked-secret.js';

/** Request headers as raw `[name, value]` pairs, in wire order; a name may repeat. */
export type HeaderPairs = readonly (readonly [string, string])[];

/** A header whose duplicates were dropped after a replacement. */
export interface CollapsedHeader {
  /** Lower-case header name. */
  readonly name: string;
  /** How many entries there were before collapsing (at least 2). */
  readonly entries: number;
}

/** The outcome of {@link SecretSwapper.apply}. */
export interface SwapResult {
  /** Headers to send upstream, in their original order. */
  readonly headers: [string, string][];
  /** (secret, header) pairs where a surrogate was replaced: the `[masked: N]` annotation. */
  readonly masked: number;
  /** Header names removed as foreign credentials: the `[dropped: N]` annotation. */
  readonly stripped: number;
  /** Duplicate entries removed after replacement (entries minus one, summed). */
  readonly collapsed: number;
  /** Lower-case names removed as foreign credentials, one `STRIPPED` log line each. */
  readonly strippedHeaders: readonly string[];
  /** Headers collapsed, one `COLLAPSED` log line each. */
  readonly collapsedHeaders: readonly CollapsedHeader[];
}

interface Entry {
  readonly name: string;
  readonly lower: string;
  value: string;
  removed: boolean;
}

interface CompiledSecret {
  readonly surrogate: string;
  readonly value: string;
  readonly scopes: readonly PatternMatcher[];
  readonly headers: readonly PatternMatcher[];
  /** Header patterns without glob characters: only these mark a header as a credential to strip. */
  readonly exactHeaders: ReadonlySet<string>;
  readonly allowForeignCredentials: boolean;
}

/** Replace `surrogate` in one header value; Basic credentials are decoded first. Undefined when absent. */
function replaceInValue(lowerName: string, value: string, surrogate: string, real: string): string | undefined {
  if (value.includes(surrogate)) return value.split(surrogate).join(real);
  if (lowerName !== 'authorization') return undefined;
  // git sends `Basic base64(x-access-token:<token>)`: the surrogate is only visible once decoded.
  const basic = decodeBasicAuth(value);
  if (basic === undefined || !(basic.user.includes(surrogate) || basic.password.includes(surrogate))) return undefined;
  return encodeBasicAuth({
    scheme: basic.scheme,
    user: basic.user.split(surrogate).join(real),
    password: basic.password.split(surrogate).join(real),
  });
}

/**
 * Puts real secret values back into a request's headers on its way upstream
 * (MSK-04..07). Used by the proxy for every allowed request.
 *
 * Contract:
 * - Only request HEADER values are touched; bodies, the path and the query
 *   string never are, so a surrogate pasted into a URL stays worthless.
 * - A secret is considered only when the request host matches one of its
 *   scopes; a surrogate sent anywhere else goes out unchanged.
 * - For each header name matching the secret's header patterns, all of its
 *   entries are scanned; the first entry holding the surrogate (directly, or
 *   inside `Authorization: Basic`) is replaced, moved to the position of the
 *   first entry of that name, and every other entry of that name is dropped.
 *   An injected duplicate therefore never rides along with the real value.
 * - On a scoped host, a header named EXACTLY by a secret's header patterns
 *   (globs like `*` or `X-*` never count) that carries no surrogate is a
 *   foreign credential and is removed entirely, unless the secret allows
 *   foreign credentials or another secret replaced that header.
 */
export class SecretSwapper {
  readonly #secrets: readonly CompiledSecret[];

  constructor(pairs: readonly SurrogatePair[]) {
    this.#secrets = pairs.map(({ surrogate, secret }) => ({
      surrogate,
      value: secret.value,
      scopes: secret.scopes.map((s) => compilePattern(s, { caseInsensitive: true })),
      headers: secret.headers.map((h) => compilePattern(h, { caseInsensitive: true })),
      exactHeaders: new Set(secret.headers.filter((h) => !hasGlobCharacters(h)).map((h) => h.toLowerCase())),
      allowForeignCredentials: secret.allowForeignCredentials === true,
    }));
  }

  /** Number of secrets this swapper knows. */
  get size(): number {
    return this.#secrets.length;
  }

  /** Swap surrogates for real values in the headers of a request to `host` (SNI/Host; port and case ignored). */
  apply(host: string, headers: HeaderPairs): SwapResult {
    const entries: Entry[] = headers.map(([name, value]) => ({ name, lower: name.toLowerCase(), value, removed: false }));
    const normalized = normalizeRequestHost(host);
    const inScope = normalized.ok ? this.#secrets.filter((s) => s.scopes.some((scope) => scope.test(normalized.host))) : [];

    let masked = 0;
    const replaced = new Set<string>();
    const collapsedHeaders: CollapsedHeader[] = [];
    const stripCandidates = new Set<string>();

    for (const secret of inScope) {
      const seen = new Set<string>();
      for (const entry of entries) {
        if (entry.removed || seen.has(entry.lower)) continue;
        seen.add(entry.lower);
        if (!secret.headers.some((h) => h.test(entry.lower))) continue;
        const same = entries.filter((e) => !e.removed && e.lower === entry.lower);
        let value: string | undefined;
        for (const candidate of same) {
          value = replaceInValue(entry.lower, candidate.value, secret.surrogate, secret.value);
          if (value !== undefined) break;
        }
        if (value === undefined) {
          if (!secret.allowForeignCredentials && secret.exactHeaders.has(entry.lower)) stripCandidates.add(entry.lower);
          continue;
        }
        masked += 1;
        replaced.add(entry.lower);
        entry.value = value;
        for (const extra of same.slice(1)) extra.removed = true;
        if (same.length > 1) collapsedHeaders.push({ name: entry.lower, entries: same.length });
      }
    }

    const strippedHeaders = [...stripCandidates].filter((name) => !replaced.has(name));
    for (const entry of entries) {
      if (strippedHeaders.includes(entry.lower)) entry.removed = true;
    }

    return {
      headers: entries.filter((e) => !e.removed).map((e) => [e.name, e.value]),
      masked,
      stripped: strippedHeaders.length,
      collapsed: collapsedHeaders.reduce((sum, c) => sum + c.entries - 1, 0),
      strippedHeaders,
      collapsedHeaders,
    };
  }
}
