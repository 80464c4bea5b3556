import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { allowlistFromObject } from '../../../src/sandbox/network/allowlist/index.js';
import { NETWORK_LOG_FILE, NetworkSandbox, type NetworkLogEvent } from '../../../src/sandbox/network/index.js';
import { AgentTask } from '../../../src/sandbox/task/index.js';
import { realClaudeBinary } from '../../harness/claude-binary.js';
import { fakeLedgerUsd, messagesRequests, startFrontedAnthropic, THOUSANDTH_DOLLAR_TOKENS } from '../../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../../harness/fake-upstream/fake-upstream.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';

// The budget test: the real Claude Code binary behind the real network
// sandbox, against a fake Messages API whose streamed answers carry `usage`.
// A per-run cap is reached after the 1st call (a Bash tool_use); the 2nd call
// (the tool result) is refused with a permission_error, the run ends
// budget_exceeded, and what the proxy counted matches the fake's own ledger.

const runtime = testRuntime();
const claude = await realClaudeBinary();
const prefix = uniquePrefix();
const dir = await tempDir(t, 'claude-budget');
const egressNetwork = await testEgressNetwork(t, runtime, prefix);
const { fake, frontIp } = await startFrontedAnthropic(t, runtime, egressNetwork, dir, prefix);
const imageCache = new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' });
const imageTag = await imageCache.ensureImage(`FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`, {});
t.teardown(async () => { await runtime.call(['rmi', '-f', imageTag]); });

void t.test('a per-run cost cap is reached after the 1st call: the 2nd is refused, the run ends budget_exceeded, the count matches the fake to the cent', async (t) => {
  const contextDir = join(dir, 'ctx');
  const workspace = join(contextDir, 'workspace');
  await mkdir(workspace, { recursive: true });
  const lines: NetworkLogEvent[] = [];
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({
      domains: [],
      url_prefixes: [
        { host: 'api.anthropic.com', path: '/v1/messages*', methods: ['POST'] },
        { host: 'api.anthropic.com', path: '/api/claude_code/*', methods: ['GET'] },
      ],
    }, 'test allowlist'),
    maskedSecrets: [{ name: 'ANTHROPIC_API_KEY', value: 'sk-ant-api03-budget-test-key', scopes: ['api.anthropic.com'], headers: ['x-api-key'] }],
    egressNetwork,
    upstreamHosts: { 'api.anthropic.com': frontIp },
    upstreamCaFile: FAKE_UPSTREAM_CA,
    packageRoot: await builtPackageRoot(),
    tmpDir: await tempDir(t, 'proxy-tmp'),
    prices: THOUSANDTH_DOLLAR_TOKENS,
    onNetworkLine: (event) => { if (event.event === 'log') lines.push(event); },
  });
  const cap = { name: 'budgets.cost_usd.run', unit: 'usd' as const, limit: 0.03, spent_before: 0 };
  const task = new AgentTask({
    runtime,
    prefix,
    executionContextId: 'budget',
    executionContextDir: contextDir,
    imageTag,
    claudeBinary: claude,
    mounts: [{ hostPath: workspace, containerPath: '/workspace' }],
    env: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    network: { attach: (id, ctxDir) => sandbox.attach(id, ctxDir, { budgets: [cap] }) },
    timeoutSeconds: 180,
  });

  const result = await task.execute('RUN: echo one');

  t.equal(result.outcome, 'budget_exceeded', result.errorSummary ?? result.stderrTail);
  t.equal(result.budget?.name, 'budgets.cost_usd.run');
  t.equal(result.budget?.unit, 'usd');
  t.equal(result.budget?.limit, 0.03);
  const messages = messagesRequests(await fake.requests());
  t.equal(messages.length, 1, 'the 1st call reached the fake; the 2nd (the tool result) was refused at the proxy');
  const ledger = fakeLedgerUsd(messages);
  t.equal(ledger.toFixed(2), '0.03', 'the fake answered 10 + 20 tokens');
  t.equal((result.budget?.spent ?? -1).toFixed(2), ledger.toFixed(2), 'the proxy counted what the fake charged, to the cent');
  const usage = lines.filter((l) => l.kind === 'USAGE');
  t.equal(usage.length, 1);
  t.equal(usage.reduce((sum, l) => sum + (l.usage?.cost_usd ?? 0), 0).toFixed(2), ledger.toFixed(2), 'and so do the USAGE records');
  const budgetLines = lines.filter((l) => l.kind === 'BUDGET');
  t.ok(budgetLines.length >= 1, 'a BUDGET line for the refusal');
  t.equal(budgetLines[0]?.budget?.name, 'budgets.cost_usd.run');

  // Claude Code surfaced the refusal: its own output quotes the permission_error message.
  const claudeText = JSON.stringify(result.events) + result.stderrTail;
  t.match(claudeText, /budgets\.cost_usd\.run/, 'Claude Code shows the message naming the budget');
  t.match(result.errorSummary ?? '', /^The run reached its budget budgets\.cost_usd\.run: \$0\.0300 spent of \$0\.0300/);

  const log = await readFile(join(contextDir, NETWORK_LOG_FILE), 'utf8');
  t.match(log, /^BUDGET POST https:\/\/api\.anthropic\.com\/v1\/messages\S* -> refused \(budgets\.cost_usd\.run: spent \$0\.0300 of \$0\.0300\)$/m);
  t.same(await leftovers(runtime, prefix), [], 'proxy and task network removed');
});
