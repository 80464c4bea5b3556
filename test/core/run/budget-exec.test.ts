import { randomBytes } from 'node:crypto';
import t from 'tap';
import { realClaudeBinary } from '../../harness/claude-binary.js';
import { startFrontedAnthropic } from '../../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../../harness/fake-upstream/fake-upstream.js';
import { testRuntime } from '../../harness/podman.js';
import { execFixture, internalEgressNetwork, leftoversOf, scratchDir } from './exec-fixture.js';

// `airut sandbox exec --budget-usd` end to end: the built CLI, the real Claude
// Code binary, the real network sandbox and the fake Messages API. At the
// shipped claude-sonnet-4 price the fake's 1st answer (10 input, 20 output
// tokens) costs $0.00033, which reaches a $0.0003 cap: the 2nd call is refused.
const runtime = testRuntime();
const claude = await realClaudeBinary();
const egress = await internalEgressNetwork(t, runtime);
const records = await scratchDir(t, 'anthropic');
const tag = randomBytes(3).toString('hex');
const { fake, frontIp } = await startFrontedAnthropic(t, runtime, egress, records, `airut-t-budget-${tag}`);

void t.test('--budget-usd caps one run: the run ends budget_exceeded with exit code 3 and says what was spent of the limit', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([
    'sandbox', 'exec', '--egress-network', egress, '--upstream-host', `api.anthropic.com=${frontIp}`, '--upstream-ca', FAKE_UPSTREAM_CA,
    '--claude-binary', claude, '--model', 'claude-sonnet-4-5', '--budget-usd', '0.0003', '--json', 'RUN: echo one',
  ], { env: { ANTHROPIC_API_KEY: `sk-ant-api03-${randomBytes(24).toString('hex')}` } });
  t.equal(result.exitCode, 3, result.stderr);
  const json = JSON.parse(result.stdout) as { outcome: string; budget?: { name: string; limit: number; spent: number; unit: string } };
  t.equal(json.outcome, 'budget_exceeded');
  t.match(json.budget, { name: '--budget-usd', limit: 0.0003, unit: 'usd' });
  t.equal(json.budget?.spent.toFixed(5), '0.00033', '10 x $3 + 20 x $15 per million tokens');
  t.match(result.stderr, /airut: the run ended with outcome budget_exceeded:\nThe run reached its budget --budget-usd: \$0\.0003 spent of \$0\.0003.*Raise the --budget-usd flag/);
  const messages = (await fake.requests()).filter((r) => r.method === 'POST' && r.url.startsWith('/v1/messages') && !r.url.startsWith('/v1/messages/'));
  t.equal(messages.length, 1, 'only the 1st call reached the fake');
  t.same(await leftoversOf(runtime, result.pid), [], 'no container or network is left');
});
