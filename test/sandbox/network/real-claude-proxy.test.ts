import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { allowlistFromObject } from '../../../src/sandbox/network/allowlist/index.js';
import { NETWORK_LOG_FILE, NetworkSandbox } from '../../../src/sandbox/network/index.js';
import { AgentTask } from '../../../src/sandbox/task/index.js';
import { realClaudeBinary } from '../../harness/claude-binary.js';
import { startFrontedAnthropic } from '../../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../../harness/fake-upstream/fake-upstream.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';
import { accessLine } from '../../harness/access-line.js';

// The real Claude Code binary in a task behind the real network sandbox,
// talking to "api.anthropic.com" with no ANTHROPIC_BASE_URL: DNS sends it to
// the proxy, which reaches the fake Messages API (behind a TLS front with the
// test CA) on the test's --internal egress network. The API key is a masked
// secret: the task only ever holds the surrogate.

const runtime = testRuntime();
const claude = await realClaudeBinary();
const REAL_KEY = `sk-ant-api03-${randomBytes(30).toString('base64url')}`;
const prefix = uniquePrefix();
const dir = await tempDir(t, 'claude-proxy');
const egressNetwork = await testEgressNetwork(t, runtime, prefix);
const { fake, frontIp } = await startFrontedAnthropic(t, runtime, egressNetwork, dir, prefix);
const imageCache = new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' });
const imageTag = await imageCache.ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {});
t.teardown(async () => { await runtime.call(['rmi', '-f', imageTag]); });

void t.test('Claude Code reaches api.anthropic.com through the proxy with a masked key', async (t) => {
  const contextDir = join(dir, 'ctx');
  const workspace = join(contextDir, 'workspace');
  await mkdir(workspace, { recursive: true });
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({
      domains: [],
      url_prefixes: [
        { host: 'api.anthropic.com', path: '/v1/messages*', methods: ['POST'] },
        // Fetched by Claude Code when it talks to the real host name; the fake answers 404.
        { host: 'api.anthropic.com', path: '/api/claude_code/*', methods: ['GET'] },
      ],
    }, 'test allowlist'),
    maskedSecrets: [{ name: 'ANTHROPIC_API_KEY', value: REAL_KEY, scopes: ['api.anthropic.com'], headers: ['x-api-key'] }],
    egressNetwork,
    upstreamHosts: { 'api.anthropic.com': frontIp },
    upstreamCaFile: FAKE_UPSTREAM_CA,
    packageRoot: await builtPackageRoot(),
    tmpDir: await tempDir(t, 'proxy-tmp'),
  });
  const task = new AgentTask({
    runtime,
    prefix,
    executionContextId: 'claude',
    executionContextDir: contextDir,
    imageTag,
    claudeBinary: claude,
    mounts: [{ hostPath: workspace, containerPath: '/workspace' }],
    env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    network: sandbox,
    timeoutSeconds: 180,
  });

  // The Bash command holds the task container running until the test has inspected it.
  const running = task.execute('RUN: touch /workspace/started; until [ -e /workspace/go ]; do sleep 0.1; done; printenv ANTHROPIC_API_KEY');
  await until(() => access(join(workspace, 'started')).then(() => true, () => false));
  const names = (await runtime.run(['ps', '--filter', `name=${prefix}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
  const inspected = (await runtime.run(['inspect', ...names])).stdout;
  await writeFile(join(workspace, 'go'), '');
  const result = await running;

  t.equal(result.outcome, 'success', result.errorSummary ?? result.stderrTail);
  t.equal(result.responseText, 'Done: ran the command.');
  const requests = await fake.requests();
  const messages = requests.filter((r) => r.url.startsWith('/v1/messages'));
  t.equal(messages.length, 2, 'the prompt and the tool result');
  t.ok(messages.every((r) => r.headers['x-api-key'] === REAL_KEY), 'the fake API saw the real key');

  const toolResult = JSON.stringify(messages.at(-1)?.body?.messages ?? []);
  const seen = /sk-ant-api03-[\w-]+/.exec(toolResult)?.[0];
  t.ok(seen !== undefined && seen !== REAL_KEY && seen.length === REAL_KEY.length, 'the container saw a same-shape surrogate');

  const log = await readFile(join(contextDir, NETWORK_LOG_FILE), 'utf8');
  t.match(log, accessLine(/ALLOWED POST https:\/\/api\.anthropic\.com\/v1\/messages\?beta=true -> 200 \[masked: 1\]/));
  // Every Messages request went through the tool-domain filter (it reads all of them) and was forwarded as sent.
  t.notMatch(log, /\[tool-domains:|^BLOCKED/m, 'the body filter passed Claude Code\'s requests unchanged');
  t.ok(messages.every((r) => Array.isArray((r.body as { tools?: unknown } | undefined)?.tools)), 'each carried a tools array the filter checked');
  const requestLines = log.split('\n').filter((l) => /^(ALLOWED|BLOCKED) /.test(l));
  t.equal(requestLines.length, requests.length, 'one log line per request');
  t.ok(names.length >= 2 && inspected.includes(seen ?? '\0'), 'podman inspect shows the task and proxy containers, the task with the surrogate');

  const events = await readFile(task.eventLogPath, 'utf8');
  const places = { output: JSON.stringify(result), events, log, inspect: inspected };
  for (const [place, text] of Object.entries(places)) t.notOk(text.includes(REAL_KEY), `no real key in ${place}`);
  t.same(await leftovers(runtime, prefix), [], 'proxy and task network removed');
});

/** Resolves once `check` holds; the condition is an event outside this process. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!await check()) await new Promise((resolve) => setTimeout(resolve, 100));
}
