import t from 'tap';
import { SecretSwapper, type SurrogatePair } from '../../../../src/sandbox/network/secrets/index.js';

const GH_REAL = 'ghp_REALrealREALrealREALrealREALreal1234';
const GH_FAKE = 'ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake9876';
const ANT_REAL = 'sk-ant-api03-REALREALREALREAL';
const ANT_FAKE = 'sk-ant-api03-FAKEFAKEFAKEFAKE';
const NPM_REAL = 'npm_realrealrealreal';
const NPM_FAKE = 'npm_fakefakefakefake';

const pairs: SurrogatePair[] = [
  { surrogate: GH_FAKE, secret: { name: 'GH_TOKEN', value: GH_REAL, scopes: ['github.com', '*.github.com'], headers: ['Authorization'] } },
  { surrogate: ANT_FAKE, secret: { name: 'ANTHROPIC_API_KEY', value: ANT_REAL, scopes: ['api.anthropic.com'], headers: ['x-api-key', 'Authorization'] } },
  { surrogate: NPM_FAKE, secret: { name: 'NPM_TOKEN', value: NPM_REAL, scopes: ['registry.npmjs.org'], headers: ['*'], allowForeignCredentials: false } },
];
const swapper = new SecretSwapper(pairs);

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

void t.test('Bearer token to a scoped host is swapped', (t) => {
  const result = swapper.apply('api.github.com', [['Host', 'api.github.com'], ['Authorization', `Bearer ${GH_FAKE}`], ['Accept', '*/*']]);
  t.same(result, {
    headers: [['Host', 'api.github.com'], ['Authorization', `Bearer ${GH_REAL}`], ['Accept', '*/*']],
    masked: 1,
    stripped: 0,
    collapsed: 0,
    strippedHeaders: [],
    collapsedHeaders: [],
  });
  t.equal(swapper.size, 3);
  t.end();
});

void t.test('scope and header names match case-insensitively; port and trailing dot ignored', (t) => {
  for (const host of ['GitHub.com', 'github.com:443', 'API.GITHUB.COM.', 'uploads.github.com']) {
    const result = swapper.apply(host, [['AUTHORIZATION', `token ${GH_FAKE}`]]);
    t.same(result.headers, [['AUTHORIZATION', `token ${GH_REAL}`]], host);
    t.equal(result.masked, 1);
  }
  t.end();
});

void t.test('x-api-key is swapped towards its scope only', (t) => {
  const scoped = swapper.apply('api.anthropic.com', [['X-Api-Key', ANT_FAKE], ['anthropic-version', '2023-06-01']]);
  t.same(scoped.headers, [['X-Api-Key', ANT_REAL], ['anthropic-version', '2023-06-01']]);
  t.equal(scoped.masked, 1);
  const elsewhere = swapper.apply('evil.example', [['X-Api-Key', ANT_FAKE]]);
  t.same(elsewhere.headers, [['X-Api-Key', ANT_FAKE]], 'an unscoped host gets the worthless surrogate');
  t.equal(elsewhere.masked, 0);
  const lookalike = swapper.apply('api.anthropic.com.evil.example', [['X-Api-Key', ANT_FAKE]]);
  t.same(lookalike.headers, [['X-Api-Key', ANT_FAKE]]);
  const invalidHost = swapper.apply('api.anthropic.com/x', [['X-Api-Key', ANT_FAKE]]);
  t.same(invalidHost.headers, [['X-Api-Key', ANT_FAKE]], 'a host that is not a host name matches no scope');
  t.end();
});

void t.test('Basic auth: the surrogate as password (git) or user is swapped inside the encoding', (t) => {
  const push = swapper.apply('github.com', [['Authorization', basic('x-access-token', GH_FAKE)]]);
  t.same(push.headers, [['Authorization', basic('x-access-token', GH_REAL)]]);
  t.equal(push.masked, 1);
  const asUser = swapper.apply('github.com', [['authorization', basic(GH_FAKE, '')]]);
  t.same(asUser.headers, [['authorization', basic(GH_REAL, '')]]);
  const lowerScheme = swapper.apply('github.com', [['Authorization', `basic ${Buffer.from(`u:${GH_FAKE}`).toString('base64')}`]]);
  t.same(lowerScheme.headers, [['Authorization', `basic ${Buffer.from(`u:${GH_REAL}`).toString('base64')}`]], 'the scheme word is kept as sent');
  const colonInPassword = swapper.apply('github.com', [['Authorization', basic('u', `a:${GH_FAKE}:b`)]]);
  t.same(colonInPassword.headers, [['Authorization', basic('u', `a:${GH_REAL}:b`)]]);
  const elsewhere = swapper.apply('gitlab.com', [['Authorization', basic('x-access-token', GH_FAKE)]]);
  t.same(elsewhere.headers, [['Authorization', basic('x-access-token', GH_FAKE)]], 'unscoped: untouched');
  t.end();
});

void t.test('a foreign credential to a scoped host is stripped', (t) => {
  const result = swapper.apply('api.github.com', [['Authorization', 'Bearer attacker-token'], ['Accept', 'application/json']]);
  t.same(result, {
    headers: [['Accept', 'application/json']],
    masked: 0,
    stripped: 1,
    collapsed: 0,
    strippedHeaders: ['authorization'],
    collapsedHeaders: [],
  });
  const both = swapper.apply('api.anthropic.com', [['x-api-key', 'sk-ant-api03-ATTACKER'], ['Authorization', 'Bearer x'], ['authorization', 'Bearer y']]);
  t.same(both.headers, []);
  t.same(both.strippedHeaders, ['x-api-key', 'authorization']);
  t.equal(both.stripped, 2);
  const basicForeign = swapper.apply('github.com', [['Authorization', basic('x-access-token', 'ghp_attacker')]]);
  t.same(basicForeign.headers, [], 'Basic with another token is foreign too');
  t.end();
});

void t.test('a surrogate sent to the wrong scoped host is stripped there', (t) => {
  // The GitHub surrogate carries no Anthropic surrogate; Authorization is a credential header for api.anthropic.com.
  const result = swapper.apply('api.anthropic.com', [['Authorization', `Bearer ${GH_FAKE}`]]);
  t.same(result.headers, []);
  t.same(result.strippedHeaders, ['authorization']);
  t.end();
});

void t.test('glob header patterns scan but never strip', (t) => {
  const result = swapper.apply('registry.npmjs.org', [['Authorization', 'Bearer someone-else'], ['X-Custom', `prefix ${NPM_FAKE} suffix`]]);
  t.same(result.headers, [['Authorization', 'Bearer someone-else'], ['X-Custom', `prefix ${NPM_REAL} suffix`]]);
  t.equal(result.masked, 1);
  t.equal(result.stripped, 0);
  t.end();
});

void t.test('allowForeignCredentials lets other credentials through', (t) => {
  const lenient = new SecretSwapper([
    { surrogate: GH_FAKE, secret: { name: 'GH_TOKEN', value: GH_REAL, scopes: ['github.com'], headers: ['Authorization'], allowForeignCredentials: true } },
  ]);
  const result = lenient.apply('github.com', [['Authorization', 'Bearer user-supplied']]);
  t.same(result.headers, [['Authorization', 'Bearer user-supplied']]);
  t.equal(result.stripped, 0);
  const swapped = lenient.apply('github.com', [['Authorization', `Bearer ${GH_FAKE}`]]);
  t.same(swapped.headers, [['Authorization', `Bearer ${GH_REAL}`]], 'and still swaps its own surrogate');
  // Two secrets on one host: the strict one still strips.
  const mixed = new SecretSwapper([
    ...pairs.slice(0, 1).map((p) => ({ ...p, secret: { ...p.secret, allowForeignCredentials: true } })),
    { surrogate: 'ghs_FAKEFAKEFAKE', secret: { name: 'APP', value: 'ghs_REALREALREAL', scopes: ['github.com'], headers: ['authorization'] } },
  ]);
  t.same(mixed.apply('github.com', [['Authorization', 'Bearer foreign']]).headers, []);
  t.end();
});

void t.test('duplicates of a replaced header collapse into the replaced entry', (t) => {
  const injected = swapper.apply('api.github.com', [
    ['Authorization', 'Bearer attacker-token'],
    ['Accept', '*/*'],
    ['authorization', `Bearer ${GH_FAKE}`],
    ['AUTHORIZATION', `Bearer ${GH_FAKE}`],
  ]);
  t.same(injected, {
    headers: [['Authorization', `Bearer ${GH_REAL}`], ['Accept', '*/*']],
    masked: 1,
    stripped: 0,
    collapsed: 2,
    strippedHeaders: [],
    collapsedHeaders: [{ name: 'authorization', entries: 3 }],
  }, 'the replaced value takes the first position; the attacker entry and the copy are gone');
  const twoKeys = swapper.apply('api.anthropic.com', [['x-api-key', ANT_FAKE], ['x-api-key', ANT_FAKE]]);
  t.same(twoKeys.headers, [['x-api-key', ANT_REAL]]);
  t.equal(twoKeys.collapsed, 1);
  t.same(twoKeys.collapsedHeaders, [{ name: 'x-api-key', entries: 2 }]);
  t.end();
});

void t.test('a header holding two surrogates counts each secret, and headers without secrets pass through', (t) => {
  const both = new SecretSwapper([
    { surrogate: 'aaaa1111', secret: { name: 'A', value: 'AAAA', scopes: ['h.example'], headers: ['X-Auth'] } },
    { surrogate: 'bbbb2222', secret: { name: 'B', value: 'BBBB', scopes: ['h.example'], headers: ['x-auth'] } },
  ]);
  const result = both.apply('h.example', [['X-Auth', 'aaaa1111:bbbb2222'], ['Cookie', 'a=1'], ['Cookie', 'b=2']]);
  t.same(result.headers, [['X-Auth', 'AAAA:BBBB'], ['Cookie', 'a=1'], ['Cookie', 'b=2']]);
  t.equal(result.masked, 2);
  t.equal(result.collapsed, 0, 'duplicates of untouched headers stay');
  t.end();
});

void t.test('surrogates outside headers are never touched', (t) => {
  // The swapper receives only headers: the path, query and body never pass through it.
  const result = swapper.apply('api.github.com', [['X-Not-A-Credential', GH_FAKE]]);
  t.same(result.headers, [['X-Not-A-Credential', GH_FAKE]], 'a header not named by the secret keeps the surrogate');
  t.equal(result.masked, 0);
  const empty = new SecretSwapper([]);
  t.same(empty.apply('github.com', [['Authorization', 'Bearer x']]).headers, [['Authorization', 'Bearer x']]);
  t.end();
});

void t.test('malformed Basic values are treated as opaque text', (t) => {
  for (const value of ['Basic', 'Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Basic ' + Buffer.from([0xff, 0x3a, 0x41]).toString('base64')]) {
    const result = swapper.apply('github.com', [['Authorization', value]]);
    t.same(result.headers, [], `${JSON.stringify(value)} carries no surrogate: stripped as foreign`);
  }
  t.end();
});
