import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { createGithubAppSurrogate, prepareMaskedSecrets, serializeSecrets, type GithubAppCredential } from '../../../../src/sandbox/network/secrets/index.js';
import type { ApiTransport } from '../../../../src/sandbox/proxy/github-app/token-exchange.js';
import type { HeaderRewrite } from '../../../../src/sandbox/proxy/header-rewrite.js';
import { loadSecretRewriter } from '../../../../src/sandbox/proxy/secret-rewriter.js';

// The header algebra of GitHub App tokens (GHA-04/05) and its precedence over
// masked secrets (MSK-08), with the token exchange answered at the transport
// boundary (a real exchange is in installation-tokens.test.ts).

const KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const TOKEN = `ghs_REAL${'t'.repeat(32)}`;
const MASKED_REAL = `ghp_${'M'.repeat(36)}`;

const app: GithubAppCredential = { name: 'GH_TOKEN', appId: '1', privateKey: KEY, installationId: 5, scopes: ['api.github.com', 'github.com'] };

function setup(options: { fail?: boolean; allowForeign?: boolean; masked?: boolean } = {}) {
  let exchanges = 0;
  const transport: ApiTransport = async () => {
    exchanges += 1;
    if (options.fail === true) throw new Error('connect ECONNREFUSED');
    return { status: 201, body: JSON.stringify({ token: TOKEN, expires_at: new Date(Date.now() + 3_600_000).toISOString() }) };
  };
  const surrogate = createGithubAppSurrogate();
  const masked = options.masked === true
    ? prepareMaskedSecrets([{ name: 'PAT', value: MASKED_REAL, scopes: ['github.com'], headers: ['Authorization'] }])
    : { env: {}, pairs: [] };
  const text = serializeSecrets(masked.pairs, [{ surrogate, app: { ...app, allowForeignCredentials: options.allowForeign === true } }]);
  const rewrite = loadSecretRewriter(text, 'test', transport);
  return { surrogate, maskedSurrogate: (masked.env as Record<string, string | undefined>).PAT, rewrite: async (host: string, headers: string[]): Promise<HeaderRewrite> => rewrite(host, headers), exchanges: () => exchanges };
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

void t.test('the surrogate becomes the token as Bearer and as Basic password; cached afterwards', async (t) => {
  const { surrogate, rewrite, exchanges } = setup();
  t.match(surrogate, /^ghs_[A-Za-z0-9]{36}$/);
  const first = await rewrite('api.github.com', ['Accept', 'application/json', 'Authorization', `Bearer ${surrogate}`]);
  t.same(first.rawHeaders, ['Authorization', `Bearer ${TOKEN}`, 'Accept', 'application/json']);
  t.equal(first.masked, 1);
  t.same(first.tags, ['github-app: refreshed']);
  const git = await rewrite('github.com', ['authorization', basic('x-access-token', surrogate)]);
  t.same(git.rawHeaders, ['authorization', basic('x-access-token', TOKEN)], 'git smart-HTTP: the token as Basic password');
  t.same(git.tags, ['github-app: cached']);
  const token = await rewrite('github.com', ['Authorization', `token ${surrogate}`]);
  t.same(token.rawHeaders, ['Authorization', `token ${TOKEN}`]);
  t.equal(exchanges(), 1, 'one exchange for three requests');
});

void t.test('duplicates collapse to the one entry with the surrogate', async (t) => {
  const { surrogate, rewrite } = setup();
  const out = await rewrite('api.github.com', ['Authorization', 'Bearer attacker', 'X-A', '1', 'authorization', `Bearer ${surrogate}`]);
  t.same(out.rawHeaders, ['authorization', `Bearer ${TOKEN}`, 'X-A', '1']);
  t.same(out.collapsed, [{ name: 'authorization', entries: 2 }]);
});

void t.test('foreign credentials are stripped on scoped hosts only, unless allowed', async (t) => {
  const { rewrite, surrogate, exchanges } = setup();
  const foreign = await rewrite('api.github.com', ['Authorization', 'Bearer ghp_attacker', 'authorization', 'token x', 'Accept', '*/*']);
  t.same(foreign.rawHeaders, ['Accept', '*/*']);
  t.same(foreign.stripped, ['authorization']);
  t.equal(foreign.masked, 0);
  const elsewhere = await rewrite('example.com', ['Authorization', `Bearer ${surrogate}`]);
  t.same(elsewhere.rawHeaders, ['Authorization', `Bearer ${surrogate}`], 'another host gets the worthless surrogate, unchanged');
  t.equal(exchanges(), 0, 'no token minted for either');
  const allowed = setup({ allowForeign: true });
  const kept = await allowed.rewrite('api.github.com', ['Authorization', 'Bearer mine']);
  t.same(kept.rawHeaders, ['Authorization', 'Bearer mine']);
  t.same(kept.stripped, []);
});

void t.test('a masked secret swapped into Authorization on the same host is the operator\'s, not foreign', async (t) => {
  const { rewrite, maskedSurrogate, surrogate } = setup({ masked: true });
  const masked = await rewrite('github.com', ['Authorization', `Bearer ${maskedSurrogate ?? ''}`]);
  t.same(masked.rawHeaders, ['Authorization', `Bearer ${MASKED_REAL}`]);
  t.same(masked.stripped, []);
  const app = await rewrite('github.com', ['Authorization', `Bearer ${surrogate}`]);
  t.same(app.rawHeaders, ['Authorization', `Bearer ${TOKEN}`], 'the App token wins where its surrogate is sent');
  t.same(app.stripped, [], 'and the masked secret does not strip it');
});

void t.test('a failed refresh refuses the request and sends nothing', async (t) => {
  const { rewrite, surrogate } = setup({ fail: true });
  const out = await rewrite('api.github.com', ['Authorization', `Bearer ${surrogate}`]);
  t.same(out.rawHeaders, []);
  t.match(out.refusal, { status: 502, error: 'github_app_token_refresh_failed', message: 'Failed to refresh GitHub App installation token' });
  t.match(out.refusal?.detail, /GH_TOKEN: .*could not be reached: connect ECONNREFUSED/);
  t.same(out.tags, ['github-app: refresh-failed']);
});
