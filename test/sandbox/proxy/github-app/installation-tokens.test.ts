import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { InstallationTokens, TokenRefreshError } from '../../../../src/sandbox/proxy/github-app/installation-tokens.js';
import { directTransport } from '../../../../src/sandbox/proxy/github-app/token-exchange.js';
import { startLocalFakeGithub, type FakeGithub } from '../../../harness/fake-github/index.js';

// Minting against a fake GitHub on 127.0.0.1 that checks the App JWT with the
// App's public key. The token source's clock is injected, so reuse and
// refresh after expiry are decided without waiting.

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PKCS1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PKCS8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();

async function fakeGithub(t: Test, tokenTtlS: number): Promise<{ github: FakeGithub; agent: Agent }> {
  const certDir = await mkdtemp(join(tmpdir(), 'airut-fake-github-'));
  t.teardown(() => rm(certDir, { recursive: true, force: true }));
  const github = await startLocalFakeGithub(t, { names: ['api.github.test'], certDir, appId: '4242', installationId: 99, publicKeyPem: PUBLIC, tokenTtlS,
    repositories: [{ id: 11, node_id: 'R_kgAL', full_name: 'octo/repo' }, { id: 12, node_id: 'R_kgAM', full_name: 'octo/other' }] });
  const agent = new Agent({ ca: await readFile(github.caFile, 'utf8'), keepAlive: true });
  t.teardown(() => agent.destroy());
  return { github, agent };
}

function tokensFor(github: FakeGithub, agent: Agent, key: string, now: () => number, extra: { permissions?: Record<string, string>; repositories?: string[] } = {}): InstallationTokens {
  const transport = directTransport({
    agent,
    lookup: (_host, options, callback) => {
      if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    },
    defaultPort: github.port,
    timeoutMs: 10_000,
  });
  return new InstallationTokens({
    name: 'GH_TOKEN', appId: '4242', privateKey: key, installationId: 99, baseUrl: 'https://api.github.test', scopes: ['api.github.test'], ...extra,
  }, transport, now);
}

void t.test('a token is minted with a valid JWT, reused, and refreshed 5 minutes before it expires', async (t) => {
  // 302 s: the token is fresh for about 2 s of the injected clock, then due for refresh.
  const { github, agent } = await fakeGithub(t, 302);
  const start = Date.now();
  let now = start;
  const tokens = tokensFor(github, agent, PKCS1, () => now, { permissions: { contents: 'write' }, repositories: ['repo'] });

  const first = await tokens.get();
  t.equal(first.state, 'refreshed');
  t.match(first.token, /^ghs_000001[A-Za-z0-9]{30}$/, 'the first token GitHub minted');
  const second = await tokens.get();
  t.same(first.repositories, [{ id: 11, nodeId: 'R_kgAL', fullName: 'octo/repo' }], 'the repositories the token answer listed (only the one asked for)');
  t.same(second, { token: first.token, state: 'cached', repositories: first.repositories }, 'reused while fresh, without an exchange');
  await github.until(1);
  const [mint] = github.requests;
  t.equal(mint?.jwt, 'ok', 'GitHub accepted the JWT (RS256, iss, iat/exp)');
  t.equal(mint?.apiVersion, '2022-11-28');
  t.same(JSON.parse(mint?.body ?? ''), { permissions: { contents: 'write' }, repositories: ['repo'] });

  now = start + 3000;
  const third = await tokens.get();
  t.equal(third.state, 'refreshed', 'minted again inside the 5-minute margin');
  t.match(third.token, /^ghs_000002/, 'the second token GitHub minted');
  await github.until(2);
  t.equal(github.requests[1]?.jwt, 'ok');
});

void t.test('concurrent requests share one exchange; PKCS#8 keys work too', async (t) => {
  const { github, agent } = await fakeGithub(t, 3600);
  const tokens = tokensFor(github, agent, PKCS8, Date.now);
  const leases = await Promise.all([tokens.get(), tokens.get(), tokens.get()]);
  t.equal(new Set(leases.map((l) => l.token)).size, 1);
  t.match(leases[0]?.token, /^ghs_000001/, 'one exchange for all three');
  await github.until(1);
  t.equal(github.requests[0]?.jwt, 'ok');
  t.same(JSON.parse(github.requests[0]?.body ?? ''), {}, 'no narrowing asked for: an empty body');
});

void t.test('a failed refresh is reported without secrets and not remembered', async (t) => {
  const { github, agent } = await fakeGithub(t, 3600);
  const tokens = tokensFor(github, agent, PKCS1, Date.now);
  await github.failMinting(true);
  const error = await tokens.get().then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof TokenRefreshError, 'a TokenRefreshError');
  t.match((error as Error).message, /api\.github\.test answered 500 to the token request for installation 99/);
  t.notMatch((error as Error).message, /eyJ|PRIVATE KEY/, 'neither the JWT nor the key is quoted');
  await github.failMinting(false);
  const lease = await tokens.get();
  t.equal(lease.state, 'refreshed', 'the next request tries again');
  t.match(lease.token, /^ghs_000001/, 'the failed attempt issued nothing');
});

void t.test('a JWT signed with another key is refused by GitHub and reported', async (t) => {
  const { github, agent } = await fakeGithub(t, 3600);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  await t.rejects(tokensFor(github, agent, other, Date.now).get(), /answered 401/);
  await github.until(1);
  t.equal(github.requests[0]?.jwt, 'bad signature');
});

void t.test('GitHub unreachable', async (t) => {
  const { github, agent } = await fakeGithub(t, 3600);
  const tokens = tokensFor({ ...github, port: 1 }, agent, PKCS1, Date.now);
  await t.rejects(tokens.get(), { name: 'TokenRefreshError', message: /could not be reached/ });
});
