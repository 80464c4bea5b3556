import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { SpendLedger } from '../../../src/core/budgets/index.js';
import { validateConfig, type Budgets } from '../../../src/core/config/index.js';
import { conversationLayout, GitMirror } from '../../../src/core/conversation/index.js';
import { SandboxTaskRunner } from '../../../src/core/gateway/index.js';
import type { RunEvent } from '../../../src/core/run/index.js';
import type { ExecutionResult, NetworkLogEvent } from '../../../src/sandbox/index.js';
import { Sandbox } from '../../../src/sandbox/sandbox.js';
import { realClaudeBinary } from '../../harness/claude-binary.js';
import { type FakeAnthropicRequest, fakeLedgerUsd, messagesRequests, startFrontedAnthropic, THOUSANDTH_DOLLAR_TOKENS } from '../../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../../harness/fake-upstream/fake-upstream.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, testEgressNetwork } from '../../sandbox/network/network-fixture.js';
import { testResources } from '../../sandbox/task/test-resources.js';
import { upstreamRepo } from '../gateway/fakes.js';

// The conversation and day cost caps across runs, through the gateway's task
// runner: the real Claude Code binary behind the real proxy, against the fake
// Messages API. With the prices below a token costs $0.001, so the fake's
// answers cost $0.03 (a Bash tool_use) and $0.015 (text). The proxy can only
// price a call once its answer is in, so it refuses the call after a cap is
// reached, never the one that crosses it: for a run to be refused at its first
// call, the earlier runs must have reached the cap.

const runtime = testRuntime();
const claude = await realClaudeBinary();
const { prefix, dir } = await testResources(t, runtime, 'gwbudget');
const egressNetwork = await testEgressNetwork(t, runtime, prefix);
const { fake, frontIp } = await startFrontedAnthropic(t, runtime, egressNetwork, dir, prefix);
const packageRoot = await builtPackageRoot();
const repoUrl = await upstreamRepo(dir, {
  '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\nWORKDIR /workspace\n`,
  '.airut/network-allowlist.yaml': 'domains: []\nurl_prefixes:\n  - host: api.anthropic.com\n    path: /v1/messages*\n    methods: [POST]\n',
});

/** One run through the gateway's runner: its result, the network lines it got, the Messages API calls that reached the fake. */
interface GatewayRun {
  result: ExecutionResult;
  network: NetworkLogEvent[];
  messages: FakeAnthropicRequest[];
}

/** A repo served by a {@link SandboxTaskRunner} of its own, with these budgets and the top-level prices. */
interface BudgetedRepo {
  /** The repo's spend ledger file. */
  ledgerPath: string;
  run(conversationId: string, prompt: string, sessionId?: string): Promise<GatewayRun>;
  close(): Promise<void>;
}

async function budgetedRepo(t: Test, id: string, budgets: Budgets, spendLedger?: (path: string) => SpendLedger): Promise<BudgetedRepo> {
  const { config, problems } = validateConfig({
    prices: THOUSANDTH_DOLLAR_TOKENS,
    repos: {
      [id]: {
        repo_url: repoUrl,
        secrets: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
        masked_secrets: { ANTHROPIC_API_KEY: { value: 'sk-ant-api03-gateway-budget-key', scopes: ['api.anthropic.com'], headers: ['x-api-key'] } },
        network: { sandbox_enabled: true },
        budgets,
        slack: { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U1' }] },
      },
    },
  });
  t.same(problems, [], 'the config is valid');
  const stateDir = join(dir, id);
  const tmpDir = join(dir, `${id}-tmp`);
  await mkdir(tmpDir, { recursive: true });
  const mirror = new GitMirror({ repoUrl, repoStateDir: stateDir });
  await mirror.refresh();
  const ledgerPath = join(stateDir, 'budget-spend.json');
  const runner = new SandboxTaskRunner({
    repoId: id,
    repo: config!.repos[id]!,
    sandbox: new Sandbox({ runtime, resourcePrefix: prefix, stateDir, buildNetwork: 'none', tmpDir, claudeBinaryPath: claude }),
    mirror,
    // What the service passes (repo-runtime.ts), with the test's egress: api.anthropic.com is the TLS front of the fake.
    network: {
      runtime,
      resourcePrefix: prefix,
      caDir: join(dir, `${id}-ca`),
      tmpDir,
      packageRoot,
      egressNetwork,
      upstreamHosts: { 'api.anthropic.com': frontIp },
      upstreamCaFile: FAKE_UPSTREAM_CA,
      prices: config!.prices,
    },
    ...(spendLedger === undefined ? {} : { spendLedger: spendLedger(ledgerPath) }),
  });
  t.teardown(() => runner.close());
  return {
    ledgerPath,
    run: async (conversationId, prompt, sessionId) => {
      const layout = conversationLayout(stateDir, conversationId);
      for (const path of [layout.workspace, layout.inbox, layout.outbox, layout.storage]) await mkdir(path, { recursive: true });
      const before = messagesRequests(await fake.requests()).length;
      const events: RunEvent[] = [];
      const result = await runner.run({
        repoId: id,
        conversationId,
        layout,
        prompt,
        model: 'sonnet',
        ...(sessionId === undefined ? {} : { sessionId }),
        signal: new AbortController().signal,
        onEvent: (event) => events.push(event),
      });
      return {
        result,
        network: events.flatMap((e) => (e.type === 'network' ? [e.event] : [])),
        messages: messagesRequests(await fake.requests()).slice(before),
      };
    },
    close: () => runner.close(),
  };
}

/** The spend ledger as written. */
async function readLedger(path: string): Promise<{ days: Record<string, number>; conversations: Record<string, { usd: number }> }> {
  return JSON.parse(await readFile(path, 'utf8')) as { days: Record<string, number>; conversations: Record<string, { usd: number }> };
}

/** USD the run's USAGE lines counted against cost budgets. */
function countedUsd(run: GatewayRun): number {
  return run.network.filter((l) => l.kind === 'USAGE').reduce((sum, l) => sum + (l.usage?.counted_usd ?? Number.NaN), 0);
}

const usd = (n: number | undefined): string => (n ?? Number.NaN).toFixed(4);

void t.test('a conversation cap: the 2nd run of a conversation that reached it is refused at its 1st call; another conversation still runs', async (t) => {
  const key = 'repos.conv.budgets.cost_usd.conversation';
  const repo = await budgetedRepo(t, 'conv', { cost_usd: { conversation: 0.04 } });

  // Run 1 of A: both its calls start under the cap ($0, then $0.03 of $0.04); together they reach it.
  const a1 = await repo.run('aaaa0001', 'RUN: echo one');
  t.equal(a1.result.outcome, 'success', a1.result.errorSummary ?? a1.result.stderrTail);
  t.match(a1.result.responseText, /Done: ran the command\./);
  t.equal(a1.messages.length, 2, 'the tool_use call and the tool result call reached the fake');
  t.equal(usd(fakeLedgerUsd(a1.messages)), '0.0450');
  t.equal(usd(countedUsd(a1)), '0.0450', 'the proxy counted what the fake charged');
  t.notOk(a1.network.some((l) => l.kind === 'BUDGET'), 'nothing was refused');
  let ledger = await readLedger(repo.ledgerPath);
  t.equal(usd(ledger.conversations.aaaa0001?.usd), '0.0450', 'the ledger holds what run 1 of A spent');

  // Run 2 of A, resuming its session: $0.045 spent before it, of $0.04.
  const a2 = await repo.run('aaaa0001', 'RUN: echo two', a1.result.sessionId);
  t.equal(a2.result.outcome, 'budget_exceeded', a2.result.errorSummary ?? a2.result.stderrTail);
  t.equal(a2.result.budget?.name, key);
  t.equal(a2.result.budget?.unit, 'usd');
  t.equal(a2.result.budget?.limit, 0.04);
  t.equal(usd(a2.result.budget?.spent), '0.0450', 'what run 1 spent counts against run 2');
  t.equal(a2.messages.length, 0, 'no Messages API call of run 2 reached the fake');
  const refused = a2.network.filter((l) => l.kind === 'BUDGET');
  t.equal(refused.length, 1, 'the proxy refused exactly one call, the 1st: Claude Code does not retry the 403');
  t.equal(refused[0]?.budget?.name, key);
  t.match(refused[0]?.line, /^BUDGET POST https:\/\/api\.anthropic\.com\/v1\/messages\S* -> refused \(repos\.conv\.budgets\.cost_usd\.conversation: spent \$0\.0450 of \$0\.0400\)$/);
  t.equal(a2.network.filter((l) => l.kind === 'USAGE').length, 0, 'run 2 spent nothing');
  t.match(a2.result.errorSummary ?? '', /^The run reached its budget repos\.conv\.budgets\.cost_usd\.conversation: \$0\.0450 spent of \$0\.0400/);
  t.match(JSON.stringify(a2.result.events) + a2.result.stderrTail, /repos\.conv\.budgets\.cost_usd\.conversation/, 'Claude Code shows the refusal naming the budget');

  // Conversation B starts at $0 of its own cap.
  const b1 = await repo.run('bbbb0001', 'hello');
  t.equal(b1.result.outcome, 'success', b1.result.errorSummary ?? b1.result.stderrTail);
  t.match(b1.result.responseText, /Hello from the fake server\./);
  t.equal(b1.messages.length, 1);
  t.equal(usd(countedUsd(b1)), usd(fakeLedgerUsd(b1.messages)), 'the proxy counted what the fake charged');
  t.notOk(b1.network.some((l) => l.kind === 'BUDGET'), 'nothing was refused');

  ledger = await readLedger(repo.ledgerPath);
  t.same(Object.keys(ledger.conversations).sort(), ['aaaa0001', 'bbbb0001']);
  t.equal(usd(ledger.conversations.aaaa0001?.usd), '0.0450', 'the refused run added nothing to A');
  t.equal(usd(ledger.conversations.bbbb0001?.usd), '0.0150');
  t.equal(usd(Object.values(ledger.days).reduce((sum, day) => sum + day, 0)), '0.0600', 'the day holds both conversations');
  await repo.close();
  t.same(await leftovers(runtime, prefix), [], 'proxies and task networks removed');
});

void t.test('a day cap: runs of different conversations add up; once the day reached it, a run of any conversation is refused', async (t) => {
  const key = 'repos.day.budgets.cost_usd.day';
  // A fixed clock, so the runs fall on one day even when the test runs across midnight UTC.
  const now = new Date('2026-12-06T12:00:00Z');
  const repo = await budgetedRepo(t, 'day', { cost_usd: { day: 0.025 } }, (path) => new SpendLedger(path, () => now));

  const c1 = await repo.run('cccc0001', 'hello');
  t.equal(c1.result.outcome, 'success', c1.result.errorSummary ?? c1.result.stderrTail);
  t.equal(c1.messages.length, 1);
  // $0.015 spent today before it, of $0.025: its call is let through, and the day then reached the cap.
  const d1 = await repo.run('dddd0001', 'hello');
  t.equal(d1.result.outcome, 'success', d1.result.errorSummary ?? d1.result.stderrTail);
  t.equal(d1.messages.length, 1);
  t.notOk([...c1.network, ...d1.network].some((l) => l.kind === 'BUDGET'), 'nothing was refused');

  // A conversation that spent nothing yet.
  const e1 = await repo.run('eeee0001', 'hello');
  t.equal(e1.result.outcome, 'budget_exceeded', e1.result.errorSummary ?? e1.result.stderrTail);
  t.equal(e1.result.budget?.name, key);
  t.equal(e1.result.budget?.limit, 0.025);
  t.equal(usd(e1.result.budget?.spent), '0.0300', 'both earlier conversations count');
  t.equal(e1.messages.length, 0, 'no Messages API call reached the fake');
  const refused = e1.network.filter((l) => l.kind === 'BUDGET');
  t.equal(refused.length, 1, 'the proxy refused exactly one call');
  t.equal(refused[0]?.budget?.name, key);
  t.match(e1.result.errorSummary ?? '', /^The run reached its budget repos\.day\.budgets\.cost_usd\.day: \$0\.0300 spent of \$0\.0250/);

  const ledger = await readLedger(repo.ledgerPath);
  const priced = fakeLedgerUsd([...c1.messages, ...d1.messages]);
  t.equal(usd(priced), '0.0300', 'the fake answered two texts of 10 + 5 tokens');
  t.same(ledger.days, { '2026-12-06': ledger.days['2026-12-06'] }, 'one day');
  t.equal(usd(ledger.days['2026-12-06']), usd(priced), 'the ledger\'s day total is what the fake charged');
  t.same(Object.keys(ledger.conversations).sort(), ['cccc0001', 'dddd0001'], 'the refused conversation spent nothing');
  await repo.close();
  t.same(await leftovers(runtime, prefix), [], 'proxies and task networks removed');
});
