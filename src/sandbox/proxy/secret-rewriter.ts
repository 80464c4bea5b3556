import { compilePattern } from '../network/allowlist/pattern.js';
import { parseCredentialsFile, SecretSwapper, SecretsError, type SurrogatePair } from '../network/secrets/index.js';
import { withAwsSigning } from './aws/aws-signing-rewriter.js';
import type { BodyFilter } from './body-filter.js';
import { withGithubApps } from './github-app/github-app-rewriter.js';
import { graphqlRepoScopeFilter } from './github-app/graphql-scope-filter.js';
import { InstallationTokens } from './github-app/installation-tokens.js';
import type { ApiTransport } from './github-app/token-exchange.js';
import { keepHeaders, type RewriteHeaders } from './header-rewrite.js';

/** The host whose two credential headers are treated as one credential. */
const ANTHROPIC_HOST = 'api.anthropic.com';
/** Anthropic takes an API key in `x-api-key` and an OAuth token in `Authorization`: either one authenticates. */
const ANTHROPIC_CREDENTIAL_HEADERS = ['x-api-key', 'authorization'] as const;

/**
 * Builds the header rewriter for a task's credentials from the secrets
 * file's text (written by the host with `serializeSecrets`): AWS signing
 * credentials first (requests re-signed with the real key), then GitHub
 * Apps (their tokens minted through `transport`), then masked secrets.
 *
 * Besides the swap itself (MSK-04..07), on `api.anthropic.com`: when the
 * operator's Anthropic credential is masked in one of Anthropic's two
 * credential headers, a value in the other one is foreign too and is
 * stripped. Otherwise an agent could send its own key or token next to the
 * surrogate and have the request run under its own account.
 *
 * @throws SecretsError `SECRETS_FILE_INVALID` for a file that is not exactly
 *   what the host writes: half-reading it could leave credentials unswapped or unscoped.
 */
export function loadSecretRewriter(text: string, source: string, transport?: ApiTransport, now?: () => Date): RewriteHeaders {
  return loadCredentials(text, source, transport, now).rewriteHeaders;
}

/** A task's credential handling: the header rewriter, and the body filters its credentials need. */
export interface LoadedCredentials {
  readonly rewriteHeaders: RewriteHeaders;
  /** The GraphQL repository scope of GitHub Apps narrowed to `repositories` (GHA-06); it shares their token cache. */
  readonly bodyFilters: readonly BodyFilter[];
  /** True when a filter parses GraphQL (the parser must then load at start). */
  readonly needsGraphql: boolean;
}

/** {@link loadSecretRewriter}, plus the body filters of the same credentials. */
export function loadCredentials(text: string, source: string, transport?: ApiTransport, now?: () => Date): LoadedCredentials {
  const { secrets: pairs, githubApps, signingCredentials } = parseCredentialsFile(text, source);
  if (githubApps.length > 0 && transport === undefined) {
    throw new SecretsError('SECRETS_FILE_INVALID', `The secrets file ${source} holds GitHub Apps, but this proxy has no way to reach GitHub.`);
  }
  const apps = githubApps.map((pair) => ({ pair, tokens: new InstallationTokens(pair.app, transport as ApiTransport) }));
  const needsGraphql = githubApps.some((pair) => pair.app.repositories !== undefined);
  return {
    rewriteHeaders: withAwsSigning(signingCredentials, withGithubApps(apps, maskedSecretRewriter(pairs)), now),
    bodyFilters: needsGraphql ? [graphqlRepoScopeFilter(apps)] : [],
    needsGraphql,
  };
}

function maskedSecretRewriter(pairs: readonly SurrogatePair[]): RewriteHeaders {
  const swapper = new SecretSwapper(pairs);
  if (swapper.size === 0) return keepHeaders;
  const anthropicStrip = otherAnthropicHeaders(pairs);
  // One swapper per secret, asked only when the combined swap replaced something: which secrets were used, by name.
  const single = pairs.map((pair) => ({ name: pair.secret.name, swapper: new SecretSwapper([pair]) }));
  return (host, rawHeaders) => {
    const pairsIn: [string, string][] = [];
    for (let i = 0; i < rawHeaders.length; i += 2) pairsIn.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
    const result = swapper.apply(host, pairsIn);
    let headers = result.headers;
    let stripped = result.strippedHeaders;
    if (anthropicStrip.length > 0 && host === ANTHROPIC_HOST) {
      const present = anthropicStrip.filter((name) => headers.some(([n]) => n.toLowerCase() === name));
      if (present.length > 0) {
        headers = headers.filter(([n]) => !present.includes(n.toLowerCase()));
        stripped = [...stripped, ...present];
      }
    }
    const credentials = result.masked === 0 ? [] : single.filter((s) => s.swapper.apply(host, pairsIn).masked > 0).map((s) => s.name);
    return {
      rawHeaders: headers.flat(),
      masked: result.masked,
      ...(credentials.length === 0 ? {} : { credentials: [...new Set(credentials)] }),
      stripped,
      collapsed: result.collapsedHeaders,
    };
  };
}

/**
 * The Anthropic credential headers no masked secret scoped to
 * `api.anthropic.com` covers (by name or pattern), when at least one such
 * secret exists and none lets foreign credentials through; else none.
 */
function otherAnthropicHeaders(pairs: readonly SurrogatePair[]): string[] {
  const scoped = pairs
    .map((p) => p.secret)
    .filter((s) => s.scopes.some((scope) => compilePattern(scope, { caseInsensitive: true }).test(ANTHROPIC_HOST)));
  if (scoped.length === 0 || scoped.some((s) => s.allowForeignCredentials === true)) return [];
  const covers = (header: string): boolean => scoped.some((s) => s.headers.some((h) => compilePattern(h, { caseInsensitive: true }).test(header)));
  // Only when the operator's credential travels in one of the two headers (not, say, a custom header).
  if (!ANTHROPIC_CREDENTIAL_HEADERS.some(covers)) return [];
  return ANTHROPIC_CREDENTIAL_HEADERS.filter((header) => !covers(header));
}
