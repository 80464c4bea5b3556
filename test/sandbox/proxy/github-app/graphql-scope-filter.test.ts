import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { createGithubAppSurrogate, serializeSecrets, type GithubAppCredential } from '../../../../src/sandbox/network/secrets/index.js';
import type { FilterRequest } from '../../../../src/sandbox/proxy/body-filter.js';
import type { ApiTransport } from '../../../../src/sandbox/proxy/github-app/token-exchange.js';
import { loadCredentials } from '../../../../src/sandbox/proxy/secret-rewriter.js';

// When the repository scope runs (GHA-06): only GraphQL requests carrying the
// surrogate of an App narrowed to repositories, on a host in its scopes.
// The token exchange is answered at the transport boundary.

const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const app: GithubAppCredential = { name: 'GH_TOKEN', appId: '1', privateKey: KEY, installationId: 5, scopes: ['api.github.com'] };
const REPO_NODE = 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5';

function setup(options: { repositories?: string[]; fail?: boolean; listed?: unknown } = {}) {
  let exchanges = 0;
  const transport: ApiTransport = async () => {
    exchanges += 1;
    if (options.fail === true) throw new Error('connect ECONNREFUSED');
    const listed = options.listed ?? [{ id: 1296269, node_id: REPO_NODE, full_name: 'octo/repo' }, { id: 5, node_id: 'R_kgAF', full_name: 'octo/wider' }];
    return { status: 201, body: JSON.stringify({ token: `ghs_${'t'.repeat(36)}`, expires_at: new Date(Date.now() + 3_600_000).toISOString(), repositories: listed }) };
  };
  const surrogate = createGithubAppSurrogate();
  const credential = options.repositories === undefined ? app : { ...app, repositories: options.repositories };
  const loaded = loadCredentials(serializeSecrets([], [{ surrogate, app: credential }]), 'test', transport);
  const request = (path: string, authorization: string | undefined, host = 'api.github.com'): FilterRequest => ({
    method: 'POST', host, path, matched: undefined, rawHeaders: authorization === undefined ? [] : ['Authorization', authorization],
  });
  return { surrogate, loaded, request, exchanges: () => exchanges };
}

const query = (q: string): Buffer => Buffer.from(JSON.stringify({ query: q }));

void t.test('an App without repositories adds no filter', async (t) => {
  const { loaded } = setup();
  t.same(loaded.bodyFilters, []);
  t.equal(loaded.needsGraphql, false);
});

void t.test('the filter applies only to GraphQL with the surrogate on a scoped host', async (t) => {
  const { loaded, request, surrogate } = setup({ repositories: ['repo'] });
  t.equal(loaded.needsGraphql, true);
  const [filter] = loaded.bodyFilters;
  if (filter === undefined) throw new Error('no filter');
  t.ok(filter.applies(request('/graphql', `Bearer ${surrogate}`)));
  t.ok(filter.applies(request('/graphql/', `token ${surrogate}`)), 'a trailing slash');
  t.ok(filter.applies(request('//GraphQL', `Bearer ${surrogate}`)), 'repeated slashes, other case');
  t.ok(filter.applies(request('/api/graphql', `Basic ${Buffer.from(`x:${surrogate}`).toString('base64')}`)), 'GHES path, Basic password');
  t.ok(filter.applies(request('/graphql?x=1', `Bearer ${surrogate}`)), 'with a query string (then refused)');
  t.notOk(filter.applies(request('/repos/octo/repo', `Bearer ${surrogate}`)), 'REST is not GraphQL');
  t.notOk(filter.applies(request('/graphql', 'Bearer ghp_foreign')), 'a foreign credential is stripped, not scoped');
  t.notOk(filter.applies(request('/graphql', undefined)));
  t.notOk(filter.applies(request('/graphql', `Bearer ${surrogate}`, 'other.example')), 'the token does not go to an unscoped host');
});

void t.test('verdicts use the repositories the token answer listed, no wider than configured', async (t) => {
  const { loaded, request, surrogate, exchanges } = setup({ repositories: ['repo'] });
  const [filter] = loaded.bodyFilters;
  if (filter === undefined) throw new Error('no filter');
  const req = request('/graphql', `Bearer ${surrogate}`);
  t.same(await filter.apply(req, query('{ repository(owner: "octo", name: "repo") { id } }')), { action: 'pass', tag: 'refreshed, graphql-scoped' });
  t.same(await filter.apply(req, query(`{ node(id: "${REPO_NODE}") { id } }`)), { action: 'pass', tag: 'graphql-scoped' });
  const wider = await filter.apply(req, query('{ repository(owner: "octo", name: "wider") { id } }'));
  t.match(wider, { action: 'block', tag: 'octo/wider', block: { error: 'graphql_repo_scope_blocked', detail: 'octo/wider', message: /GH_TOKEN is limited to the repositories repo/ } }, 'listed by GitHub but not configured');
  t.match(await filter.apply(request('/graphql?query=x', `Bearer ${surrogate}`), query('{ viewer { login } }')), { action: 'block', block: { detail: 'query-params' } });
  t.match(filter.tooLarge(), { action: 'block', block: { error: 'graphql_repo_scope_blocked', detail: '<too-large>' } });
  t.equal(exchanges(), 1, 'one token exchange, shared with the credential step');
});

void t.test('fail closed: no token, or a token answer without repositories', async (t) => {
  const failing = setup({ repositories: ['repo'], fail: true });
  const [filter] = failing.loaded.bodyFilters;
  t.match(await filter?.apply(failing.request('/graphql', `Bearer ${failing.surrogate}`), query('{ viewer { login } }')), { action: 'block', block: { detail: '<token-unavailable>' } });
  const unlisted = setup({ repositories: ['repo'], listed: 'nonsense' });
  const [other] = unlisted.loaded.bodyFilters;
  const req = unlisted.request('/graphql', `Bearer ${unlisted.surrogate}`);
  t.match(await other?.apply(req, query('{ repository(owner: "octo", name: "repo") { id } }')), { action: 'block', block: { detail: 'octo/repo' } });
  t.match(await other?.apply(req, query('{ viewer { login } }')), { action: 'pass' }, 'a query naming no repository still passes');
});
