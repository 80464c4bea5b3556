import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowlistFromObject } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import { startFakeGithub } from '../../harness/fake-github/index.js';
import { startGitHttpServer } from '../../harness/git-http/index.js';
import { testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, runInTask, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';
import { accessLine } from '../../harness/access-line.js';

// GitHub App credentials through the real proxy in podman. A fake GitHub on
// the test's --internal egress network checks the App JWT with the App's
// public key and issues an installation token; a git smart-HTTP server
// accepts that token (and nothing else) as Basic password. The task holds a
// ghs_ surrogate only: REST with Bearer, a foreign credential, a git push,
// and, with minting broken, the 502 that keeps the surrogate home.

const runtime = testRuntime();
const ISSUED = `ghs_ISSUED${'k7Qx'.repeat(8)}Zz`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

void t.test('GitHub App tokens: REST, git push, foreign credentials, refresh failure', async (t) => {
  const prefix = uniquePrefix();
  const packageRoot = await builtPackageRoot();
  const egressNetwork = await testEgressNetwork(t, runtime, prefix);
  const github = await startFakeGithub(t, runtime, `${prefix}-github`, egressNetwork, {
    names: ['api.github.test'], certDir: await tempDir(t, 'github-certs'), appId: '31337', installationId: 4711, publicKeyPem: PUBLIC_PEM, issueToken: ISSUED,
  });
  const git = await startGitHttpServer(t, runtime, {
    name: `${prefix}-git`, network: egressNetwork, token: ISSUED, names: ['github.test'], certDir: await tempDir(t, 'git-certs'),
  });
  const caDir = await tempDir(t, 'upstream-ca');
  const caBundle = join(caDir, 'bundle.pem');
  await writeFile(caBundle, (await readFile(github.caFile, 'utf8')) + (await readFile(git.caFile, 'utf8')));

  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({ domains: ['api.github.test', 'github.test'], url_prefixes: [] }, 'test allowlist'),
    githubApps: [{
      name: 'GH_TOKEN', appId: '31337', privateKey: PRIVATE_PEM, installationId: 4711, baseUrl: 'https://api.github.test',
      scopes: ['api.github.test', 'github.test'], permissions: { contents: 'write' }, repositories: ['repo'],
    }],
    egressNetwork,
    upstreamHosts: { 'api.github.test': github.ip, 'github.test': git.ip },
    upstreamCaFile: caBundle,
    packageRoot,
    tmpDir: await tempDir(t, 'proxy-tmp'),
  });
  t.teardown(() => sandbox.close());

  const contextDir = await tempDir(t, 'context');
  const attachment = await sandbox.attach('app', contextDir);
  t.teardown(() => attachment.release());
  const surrogate = attachment.env.GH_TOKEN ?? '';
  t.match(surrogate, /^ghs_[A-Za-z0-9]{36}$/, 'the task holds a ghs_ surrogate');

  const status = (extra: string, url: string): string => `curl -sS --max-time 30 -o /dev/null -w "%{http_code}\\n" ${extra} ${url}`;
  const result = await runInTask(runtime, attachment, [
    'set -e',
    'update-ca-certificates >/dev/null 2>&1',
    'printenv GH_TOKEN',
    status('-H "Authorization: Bearer $GH_TOKEN"', 'https://api.github.test/repos/octo/repo'),
    status('-H "Authorization: token $GH_TOKEN"', 'https://api.github.test/repos/octo/repo/pulls'),
    status('-H "Authorization: Bearer ghp_brought_along_by_the_agent"', 'https://api.github.test/user'),
    'git config --global user.name Task',
    'git config --global user.email task@example.invalid',
    'git clone -q "https://x-access-token:$GH_TOKEN@github.test/repo.git" /tmp/work',
    'cd /tmp/work',
    'echo hello > hello.txt',
    'git add hello.txt',
    'git commit -q -m "pushed with an App token"',
    'git push -q origin HEAD:main',
    // The token must be nowhere in the container: environment of every process, files.
    `if grep -rqsF "${ISSUED.slice(0, 20)}" /proc/[0-9]*/environ /tmp/work/.git /root /etc; then echo LEAKED; else echo clean; fi`,
  ].join('\n'));
  t.equal(result.exitCode, 0, result.stderr);
  const [envToken, rest1, rest2, foreign, leak] = result.stdout.trim().split('\n');
  t.equal(envToken, surrogate, 'the environment holds only the surrogate');
  t.equal(rest1, '200', 'Bearer surrogate -> accepted token');
  t.equal(rest2, '200', '`token` surrogate -> accepted token');
  t.equal(foreign, '401', 'a credential the agent brought along does not reach GitHub');
  t.equal(leak, 'clean', 'the real token is in no environment or file of the task');
  t.same(await git.log('main'), ['pushed with an App token', 'initial commit'], 'the push reached the git server');

  await github.until(4);
  const mints = github.requests.filter((r) => r.kind === 'mint');
  t.equal(mints.length, 1, 'one token minted for the whole task (REST and git)');
  t.equal(mints[0]?.jwt, 'ok', 'GitHub verified the App JWT with the public key');
  t.same(JSON.parse(mints[0]?.body ?? ''), { permissions: { contents: 'write' }, repositories: ['repo'] }, 'the token was narrowed as configured');
  const rest = github.requests.filter((r) => r.kind === 'rest');
  t.same(rest.map((r) => r.authorization), [`Bearer ${ISSUED}`, `token ${ISSUED}`, null], 'GitHub saw the real token twice and no foreign credential');
  const gitAuth = git.requests.filter((r) => r.authorization !== null);
  t.ok(gitAuth.some((r) => r.method === 'POST' && r.url.endsWith('/git-receive-pack') && r.authorized), 'the push carried the token as Basic password');
  t.ok(git.requests.every((r) => r.authorization === null || r.authorized), 'git never saw the surrogate');

  const log = await readFile(join(contextDir, 'network-sandbox.log'), 'utf8');
  t.match(log, accessLine(/ALLOWED GET https:\/\/api\.github\.test\/repos\/octo\/repo -> 200 \[github-app: refreshed\] \[masked: 1\]/));
  t.match(log, accessLine(/ALLOWED GET https:\/\/api\.github\.test\/repos\/octo\/repo\/pulls -> 200 \[github-app: cached\] \[masked: 1\]/));
  t.match(log, /^STRIPPED header 'authorization' from GET https:\/\/api\.github\.test\/user \(foreign credential blocked\)$/m);
  t.match(log, accessLine(/ALLOWED POST https:\/\/github\.test\/repo\.git\/git-receive-pack -> 200 \[github-app: cached\] \[masked: 1\]/));
  t.notMatch(log, ISSUED, 'the token is never logged');
  t.notMatch(log, 'PRIVATE KEY');
  await attachment.release();

  // A new task (a new proxy, an empty cache) while GitHub refuses to mint.
  await github.failMinting(true);
  const failedDir = await tempDir(t, 'context-failed');
  const second = await sandbox.attach('app-fail', failedDir);
  t.teardown(() => second.release());
  const before = github.requests.length;
  const failed = await runInTask(runtime, second, [
    'update-ca-certificates >/dev/null 2>&1',
    'curl -sS --max-time 30 -H "Authorization: Bearer $GH_TOKEN" https://api.github.test/repos/octo/repo',
  ].join('\n'));
  t.equal(failed.exitCode, 0, failed.stderr);
  t.same(JSON.parse(failed.stdout), {
    error: 'github_app_token_refresh_failed', message: 'Failed to refresh GitHub App installation token', detail: 'github_app_token_refresh_failed',
  }, 'the proxy answered 502 itself');
  await github.until(before + 1);
  t.same(github.requests.slice(before).map((r) => r.kind), ['mint'], 'only the failed mint reached GitHub: the request and its surrogate did not');
  await second.release();
  const failedLog = await readFile(join(failedDir, 'network-sandbox.log'), 'utf8');
  t.match(failedLog, /^ERROR GET https:\/\/api\.github\.test\/repos\/octo\/repo -> GitHub App GH_TOKEN: api\.github\.test answered 500 to the token request for installation 4711$/m);
  t.match(failedLog, accessLine(/ALLOWED GET https:\/\/api\.github\.test\/repos\/octo\/repo -> 502 \[github-app: refresh-failed\]/));

  await sandbox.close();
  t.same(await leftovers(runtime, prefix), [], 'proxies and task networks removed');
});
