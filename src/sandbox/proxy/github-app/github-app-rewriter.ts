import { compilePattern, type PatternMatcher } from '../../network/allowlist/pattern.js';
import { decodeBasicAuth, encodeBasicAuth } from '../../network/secrets/basic-auth.js';
import type { GithubAppPair } from '../../network/secrets/github-app.js';
import type { HeaderRewrite, RewriteHeaders } from '../header-rewrite.js';
import type { InstallationTokens } from './installation-tokens.js';

/** One App as the rewriter uses it. */
export interface ScopedApp {
  readonly pair: GithubAppPair;
  readonly tokens: InstallationTokens;
}

interface CompiledApp extends ScopedApp {
  readonly scopes: readonly PatternMatcher[];
}

/** The 502 answer's fixed text: the cause goes to the log, not to the agent. */
const REFRESH_FAILED = {
  status: 502,
  error: 'github_app_token_refresh_failed',
  message: 'Failed to refresh GitHub App installation token',
} as const;

/** `value` with the surrogate replaced by `token`: directly (Bearer/token/raw) or inside a Basic credential. Undefined when absent. */
function substitute(value: string, surrogate: string, token: string): string | undefined {
  if (value.includes(surrogate)) return value.split(surrogate).join(token);
  const basic = decodeBasicAuth(value);
  if (basic === undefined || !(basic.user.includes(surrogate) || basic.password.includes(surrogate))) return undefined;
  return encodeBasicAuth({ scheme: basic.scheme, user: basic.user.split(surrogate).join(token), password: basic.password.split(surrogate).join(token) });
}

/** True when the `Authorization` value carries `surrogate` in a way the rewriter swaps (Bearer, `token`, raw, or Basic). */
export function carriesSurrogate(value: string, surrogate: string): boolean {
  return substitute(value, surrogate, 'x') !== undefined;
}

/** True for the header name `Authorization`, any case. */
export function isAuthorization(name: string): boolean {
  return name.length === 13 && name.toLowerCase() === 'authorization';
}

/**
 * Puts GitHub App installation tokens in front of the masked-secret rewriter
 * `next` (GHA-04, precedence GitHub App > masked secret, MSK-08).
 *
 * Only `Authorization` is examined, and only on a host inside an App's
 * scopes. When an entry carries the App's surrogate (Bearer, `token`, raw,
 * or as the user or password of Basic auth as git sends it), a token is
 * taken from the cache or minted, swapped in, and that entry becomes the
 * only `Authorization`. If minting fails the request is refused (502) and
 * the surrogate goes nowhere. When no entry carries a surrogate, the header
 * is a foreign credential and is removed on a scoped host, unless the App
 * lets foreign credentials through or a masked secret of the same host was
 * just swapped into it.
 */
export function withGithubApps(apps: readonly ScopedApp[], next: RewriteHeaders): RewriteHeaders {
  if (apps.length === 0) return next;
  const compiled: CompiledApp[] = apps.map((app) => ({ ...app, scopes: app.pair.app.scopes.map((s) => compilePattern(s, { caseInsensitive: true })) }));
  return async (host, rawHeaders) => {
    const inScope = compiled.filter((app) => app.scopes.some((scope) => scope.test(host)));
    if (inScope.length === 0) return next(host, rawHeaders);

    const authIndexes: number[] = [];
    for (let i = 0; i < rawHeaders.length; i += 2) if (isAuthorization(rawHeaders[i] as string)) authIndexes.push(i);

    for (const app of inScope) {
      const at = authIndexes.find((i) => carriesSurrogate(rawHeaders[i + 1] as string, app.pair.surrogate));
      if (at === undefined) continue;
      let lease;
      try {
        lease = await app.tokens.get();
      } catch (cause) {
        return {
          rawHeaders: [], masked: 0, stripped: [], collapsed: [], tags: ['github-app: refresh-failed'],
          refusal: { ...REFRESH_FAILED, detail: `GitHub App ${app.pair.app.name}: ${(cause as Error).message}` },
        };
      }
      const value = substitute(rawHeaders[at + 1] as string, app.pair.surrogate, lease.token) as string;
      const name = rawHeaders[at] as string;
      // The rest runs through the masked secrets without any Authorization: this one is settled.
      const others: string[] = [];
      for (let i = 0; i < rawHeaders.length; i += 2) if (!authIndexes.includes(i)) others.push(rawHeaders[i] as string, rawHeaders[i + 1] as string);
      const rest = await next(host, others);
      const headers = [name, value, ...rest.rawHeaders];
      const collapsed = authIndexes.length > 1 ? [{ name: 'authorization', entries: authIndexes.length }, ...rest.collapsed] : rest.collapsed;
      return { ...rest, rawHeaders: headers, masked: rest.masked + 1, collapsed, credentials: [app.pair.app.name, ...(rest.credentials ?? [])], tags: [`github-app: ${lease.state}`, ...(rest.tags ?? [])] };
    }

    const rest: HeaderRewrite = await next(host, rawHeaders);
    if (inScope.every((app) => app.pair.app.allowForeignCredentials === true)) return rest;
    const before = new Set(authIndexes.map((i) => rawHeaders[i + 1] as string));
    const remaining: string[] = [];
    let foreign = false;
    for (let i = 0; i < rest.rawHeaders.length; i += 2) {
      const n = rest.rawHeaders[i] as string;
      const v = rest.rawHeaders[i + 1] as string;
      // A value that was not in the request was put there by a masked secret: the operator's own credential.
      if (isAuthorization(n) && before.has(v)) {
        foreign = true;
        continue;
      }
      remaining.push(n, v);
    }
    if (!foreign) return rest;
    const stripped = rest.stripped.includes('authorization') ? rest.stripped : [...rest.stripped, 'authorization'];
    return { ...rest, rawHeaders: remaining, stripped };
  };
}
