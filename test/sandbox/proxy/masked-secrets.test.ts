import t, { type Test } from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { send, START, startTestProxy, startUpstream, type FakeUpstream, type TestProxy } from './proxy-harness.js';

const REAL = 'ghp_REALrealREAL1234567890abcdefghijkl';
const SURROGATE = 'ghp_SURRsurrSURR0987654321zyxwvutsrqpo';
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The replacement file exactly as the host writes it (serializeSecrets). */
function secretsFileText(): string {
  return JSON.stringify({
    version: 1,
    secrets: [{ name: 'GH_TOKEN', surrogate: SURROGATE, value: REAL, scopes: ['secret.test'], headers: ['Authorization'], allowForeignCredentials: false }],
  });
}

async function setup(t: Test): Promise<{ tp: TestProxy; upstream: FakeUpstream }> {
  const upstream = await startUpstream(t);
  const file = join(t.testdir({ 'secrets.json': secretsFileText() }), 'secrets.json');
  const tp = await startTestProxy(t, { allowlist: { domains: ['secret.test', 'other.test'], url_prefixes: [] }, httpsPort: upstream.port, secretsFile: file });
  return { tp, upstream };
}

function authorizations(upstream: FakeUpstream, index: number): string[] {
  const raw = upstream.seen[index]?.rawHeaders ?? [];
  return raw.filter((_v, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'authorization');
}

void t.test('the surrogate becomes the real value for the scoped host, in Bearer and Basic form', async (t) => {
  const { tp, upstream } = await setup(t);
  await send(tp, { host: 'secret.test', path: '/bearer', headers: { authorization: `Bearer ${SURROGATE}` } });
  await send(tp, { host: 'secret.test', path: '/repo.git/info/refs', headers: { authorization: basic('x-access-token', SURROGATE) } });
  t.same(authorizations(upstream, 0), [`Bearer ${REAL}`]);
  t.same(authorizations(upstream, 1), [basic('x-access-token', REAL)]);
  t.equal(tp.logText(), START
    + 'ALLOWED GET https://secret.test/bearer -> 200 [masked: 1] [down: 42]\n'
    + 'ALLOWED GET https://secret.test/repo.git/info/refs -> 200 [masked: 1] [down: 54]\n');
  t.notOk(tp.events.some((e) => e.line.includes(REAL)), 'the real value never reaches a log line');
  t.same(tp.events.filter((e) => e.access !== undefined).map((e) => e.access?.credentials), [['GH_TOKEN'], ['GH_TOKEN']], 'the secret is named in the access record');
  t.notOk(tp.events.some((e) => JSON.stringify(e).includes(REAL)), 'the real value never reaches an event');
});

void t.test('an unscoped host gets the surrogate; bodies and query strings are never touched', async (t) => {
  const { tp, upstream } = await setup(t);
  await send(tp, { host: 'other.test', path: '/x', headers: { authorization: `Bearer ${SURROGATE}` } });
  await send(tp, { host: 'secret.test', path: `/q?token=${SURROGATE}`, method: 'POST', headers: { authorization: `Bearer ${SURROGATE}` }, body: SURROGATE });
  t.same(authorizations(upstream, 0), [`Bearer ${SURROGATE}`]);
  t.equal(upstream.seen[1]?.url, `/q?token=${SURROGATE}`);
  t.equal(upstream.seen[1]?.body.toString(), SURROGATE);
  t.same(authorizations(upstream, 1), [`Bearer ${REAL}`]);
  t.equal(tp.logText(), START
    + 'ALLOWED GET https://other.test/x -> 200 [down: 37]\n'
    + `ALLOWED POST https://secret.test/q?token=${SURROGATE} -> 200 [masked: 1] [up: 38] [down: 84]\n`);
});

void t.test('a foreign credential to the scoped host is stripped; injected duplicates are collapsed', async (t) => {
  const { tp, upstream } = await setup(t);
  await send(tp, { host: 'secret.test', path: '/foreign', headers: { authorization: 'Bearer attacker-key' } });
  await send(tp, { host: 'secret.test', path: '/dup', headers: ['Host', 'secret.test', 'Authorization', 'Bearer attacker-key', 'authorization', `Bearer ${SURROGATE}`] });
  t.same(authorizations(upstream, 0), [], 'the foreign Authorization arrives stripped');
  t.same(authorizations(upstream, 1), [`Bearer ${REAL}`], 'one Authorization, with the real value');
  t.equal(tp.logText(), START
    + "STRIPPED header 'authorization' from GET https://secret.test/foreign (foreign credential blocked)\n"
    + 'ALLOWED GET https://secret.test/foreign -> 200 [dropped: 1] [down: 43]\n'
    + "COLLAPSED 2 duplicate 'authorization' headers in GET https://secret.test/dup (duplicate credential headers removed)\n"
    + 'ALLOWED GET https://secret.test/dup -> 200 [masked: 1] [down: 39]\n');
});

void t.test('a secrets file that is not what the host writes stops the proxy from starting', async (t) => {
  const upstream = await startUpstream(t);
  const file = join(t.testdir(), 'secrets.json');
  await writeFile(file, JSON.stringify({ version: 1, secrets: [{ name: 'X' }] }));
  await t.rejects(startTestProxy(t, { allowlist: { domains: [], url_prefixes: [] }, httpsPort: upstream.port, secretsFile: file }), { code: 'SECRETS_FILE_INVALID' });
});

void t.test('a surrogate bound for its scoped host over plain HTTP is refused, never swapped', async (t) => {
  const { tp, upstream } = await setup(t);
  const res = await send(tp, { scheme: 'http', host: 'secret.test', path: '/plain', headers: { authorization: `Bearer ${SURROGATE}` } });
  t.equal(res.status, 403);
  t.equal(JSON.parse(res.body).error, 'cleartext_credentials');
  t.equal(upstream.seen.length, 0);
  t.equal(tp.logText(), `${START}BLOCKED GET http://secret.test/plain -> 403 (credential over plain HTTP)\n`);
});
