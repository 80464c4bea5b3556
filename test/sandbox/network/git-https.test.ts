import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { allowlistFromObject } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import { startGitHttpServer } from '../../harness/git-http/index.js';
import { testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, runInTask, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';
import { accessLine } from '../../harness/access-line.js';

// git over HTTPS through the real proxy, with no proxy settings in the task:
// clone and push to a smart-HTTP server on the test's --internal egress
// network, authenticated with a masked token in Basic auth. Only the proxy
// turns the surrogate into the real token, and only towards git.test.

const runtime = testRuntime();
const TOKEN = `ghp_${'Zq9Rk2Lm7X'.repeat(3)}Ab3De6`;

void t.test('git clone and push with a masked token in Basic auth', async (t) => {
  const prefix = uniquePrefix();
  const packageRoot = await builtPackageRoot();
  const egressNetwork = await testEgressNetwork(t, runtime, prefix);
  const server = await startGitHttpServer(t, runtime, {
    name: `${prefix}-git`, network: egressNetwork, token: TOKEN, names: ['git.test', 'other.test'], certDir: await tempDir(t, 'git-certs'),
  });
  const contextDir = await tempDir(t, 'context');
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({ domains: ['git.test', 'other.test'], url_prefixes: [] }, 'test allowlist'),
    maskedSecrets: [{ name: 'GIT_TOKEN', value: TOKEN, scopes: ['git.test'], headers: ['Authorization'] }],
    egressNetwork,
    // other.test is the same server under a name the token is not scoped to.
    upstreamHosts: { 'git.test': server.ip, 'other.test': server.ip },
    upstreamCaFile: server.caFile,
    packageRoot,
    tmpDir: await tempDir(t, 'proxy-tmp'),
  });
  const attachment = await sandbox.attach('git', contextDir);
  t.teardown(() => attachment.release());
  const surrogate = attachment.env.GIT_TOKEN ?? '';
  t.ok(surrogate.startsWith('ghp_') && surrogate.length === TOKEN.length && surrogate !== TOKEN, 'the task holds a same-shape surrogate');

  const result = await runInTask(runtime, attachment, [
    'set -e',
    // What the image entrypoint does in real tasks: trust the mounted CA system-wide
    // (git's libcurl reads neither SSL_CERT_FILE nor CURL_CA_BUNDLE).
    'update-ca-certificates >/dev/null 2>&1',
    'git config --global user.name Task',
    'git config --global user.email task@example.invalid',
    'git clone -q "https://x-access-token:$GIT_TOKEN@git.test/repo.git" /tmp/work',
    'cd /tmp/work',
    'git log --format=%s',
    'echo hello > hello.txt',
    'git add hello.txt',
    'git commit -q -m "pushed through the proxy"',
    'git push -q origin HEAD:main',
    'printenv GIT_TOKEN',
    // The same credentials towards a host the token is not scoped to.
    'curl -sS --max-time 30 -o /dev/null -w "%{http_code}\\n" -u "x-access-token:$GIT_TOKEN" https://other.test/repo.git/info/refs',
  ].join('\n'));
  t.equal(result.exitCode, 0, result.stderr);
  const [clonedLog, envToken, otherStatus] = result.stdout.trim().split('\n');
  t.equal(clonedLog, 'initial commit', 'the clone holds the server repository');
  t.equal(envToken, surrogate, 'the container environment holds only the surrogate');
  t.equal(otherStatus, '401', 'the unscoped host refused the surrogate');
  t.same(await server.log('main'), ['pushed through the proxy', 'initial commit'], 'the push reached the server');

  const toGit = server.requests.filter((r) => r.host === 'git.test');
  const withAuth = toGit.filter((r) => r.authorization !== null);
  t.ok(withAuth.some((r) => r.method === 'POST' && r.url.endsWith('/git-receive-pack')), 'the push itself was authenticated');
  t.ok(withAuth.length > 0 && withAuth.every((r) => r.authorized), 'every credential git.test saw was the real token');
  const other = server.requests.filter((r) => r.host === 'other.test');
  t.same(other.map((r) => r.authorization), [`Basic ${Buffer.from(`x-access-token:${surrogate}`).toString('base64')}`], 'the unscoped host got the surrogate');

  const log = await readFile(join(contextDir, 'network-sandbox.log'), 'utf8');
  const lines = log.split('\n').filter((l) => /^(ALLOWED|BLOCKED) /.test(l));
  t.equal(lines.length, server.requests.length, 'one log line per request');
  const gitLines = lines.filter((l) => l.includes('https://git.test/'));
  t.equal(gitLines.filter((l) => l.includes(' [masked: 1]')).length, withAuth.length, 'every authenticated request is annotated [masked: 1]');
  t.match(log, accessLine(/ALLOWED POST https:\/\/git\.test\/repo\.git\/git-receive-pack -> 200 \[masked: 1\]/));
  t.match(log, accessLine(/ALLOWED GET https:\/\/other\.test\/repo\.git\/info\/refs -> 401/), 'nothing masked towards the unscoped host');
  t.notMatch(log, TOKEN, 'the real token is never logged');
  t.notMatch(result.stdout + result.stderr, TOKEN, 'nor seen by the task');

  await attachment.release();
  t.same(await leftovers(runtime, prefix), [], 'proxy and task network removed');
});
