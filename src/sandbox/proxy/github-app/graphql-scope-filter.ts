import { compilePattern, type PatternMatcher } from '../../network/allowlist/pattern.js';
import type { BodyFilter, FilterBlock, FilterRequest, FilterResult } from '../body-filter.js';
import { carriesSurrogate, isAuthorization, type ScopedApp } from './github-app-rewriter.js';
import { MAX_GRAPHQL_BODY_BYTES } from '../graphql-request.js';
import { checkRepoScope, type AllowedRepos } from './graphql-repo-scope.js';
import type { GrantedRepository } from './installation-tokens.js';
import { decodeNodeId } from './node-id.js';

const ERROR = 'graphql_repo_scope_blocked';

/** GitHub's GraphQL endpoint: `/graphql` (github.com) or `/api/graphql` (GitHub Enterprise Server). */
function isGraphqlPath(path: string): boolean {
  // Repeated slashes are one to many routers: `//graphql` must not slip past.
  const pathname = (path.split('?')[0] as string).toLowerCase().replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  return pathname === '/graphql' || pathname === '/api/graphql';
}

/** The repositories of `lease` the App was configured with, as the checker compares them. */
function allowedRepos(granted: readonly GrantedRepository[], configured: readonly string[]): AllowedRepos {
  const names = new Set(configured.map((n) => n.toLowerCase()));
  // GitHub lists only what was asked for; the intersection keeps a wider answer from widening the scope.
  const repos = granted.filter((r) => names.has((r.fullName.split('/')[1] ?? '').toLowerCase()));
  const databaseIds = new Set<number>();
  for (const repo of repos) {
    databaseIds.add(repo.id);
    const decoded = decodeNodeId(repo.nodeId);
    if (decoded.kind === 'repository') databaseIds.add(decoded.repositoryId);
  }
  return { fullNames: new Set(repos.map((r) => r.fullName.toLowerCase())), databaseIds };
}

function block(app: ScopedApp, detail: string, why: string): FilterResult {
  const repos = (app.pair.app.repositories ?? []).join(', ');
  const result: FilterBlock = {
    error: ERROR,
    message: `The GitHub App token ${app.pair.app.name} is limited to the repositories ${repos}; ${why} To reach another repository, add it to repositories of github_app_credentials.${app.pair.app.name} in the Airut configuration.`,
    detail,
  };
  return { action: 'block', block: result, tag: detail };
}

/**
 * The `github-app` body filter (GHA-06): on a GraphQL request to a host in
 * the scopes of a GitHub App narrowed to `repositories`, whose
 * `Authorization` carries that App's surrogate, the query may name only
 * those repositories. The allowed ones come from the token answer, so
 * judging costs no request to GitHub beyond the token itself (which the
 * credential step then takes from the cache).
 */
export function graphqlRepoScopeFilter(apps: readonly ScopedApp[]): BodyFilter {
  const compiled = apps.map((app) => ({ app, scopes: app.pair.app.scopes.map((s): PatternMatcher => compilePattern(s, { caseInsensitive: true })) }));
  const anyNarrowed = apps.some((app) => app.pair.app.repositories !== undefined);
  // The App whose token this request will carry (the first in scope whose surrogate it holds, as the credential step picks it), when that App is narrowed.
  const carried = (request: FilterRequest): ScopedApp | undefined => {
    if (!anyNarrowed || !isGraphqlPath(request.path)) return undefined;
    const auth: string[] = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) if (isAuthorization(request.rawHeaders[i] as string)) auth.push(request.rawHeaders[i + 1] as string);
    const found = compiled.find(({ app, scopes }) => scopes.some((m) => m.test(request.host)) && auth.some((value) => carriesSurrogate(value, app.pair.surrogate)));
    return found?.app.pair.app.repositories === undefined ? undefined : found.app;
  };
  return {
    name: 'github-app',
    maxBodyBytes: MAX_GRAPHQL_BODY_BYTES,
    applies: (request) => carried(request) !== undefined,
    apply: async (request, body): Promise<FilterResult> => {
      const app = carried(request);
      if (app === undefined) throw new Error('github-app applied to a request without an App surrogate');
      if (request.path.includes('?')) return block(app, 'query-params', 'a GraphQL request with a query string cannot be checked. Send the query as a POST body.');
      let lease;
      try {
        lease = await app.tokens.get();
      } catch {
        // The credential step would refuse it too; without the token's repositories nothing can be judged.
        return block(app, '<token-unavailable>', 'its token could not be minted, so the repositories this request names could not be checked.');
      }
      const verdict = await checkRepoScope(body, allowedRepos(lease.repositories, app.pair.app.repositories ?? []));
      // A token minted here is `cached` for the credential step that follows: the mint is told here.
      if (verdict.allowed) return { action: 'pass', tag: lease.state === 'refreshed' ? 'refreshed, graphql-scoped' : 'graphql-scoped' };
      return block(app, verdict.detail, `this GraphQL request names '${verdict.detail}', which it may not reach (or which cannot be checked).`);
    },
    tooLarge: () => ({
      action: 'block',
      block: { error: ERROR, message: `GraphQL requests carrying a repository-limited GitHub App token may be at most ${MAX_GRAPHQL_BODY_BYTES} bytes; larger ones cannot be checked.`, detail: '<too-large>' },
      tag: '<too-large>',
    }),
  };
}
