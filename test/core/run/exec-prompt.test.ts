import { randomBytes } from 'node:crypto';
import t from 'tap';
import { realClaudeBinary } from '../../harness/claude-binary.js';
import { startFrontedAnthropic } from '../../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../../harness/fake-upstream/fake-upstream.js';
import { testRuntime } from '../../harness/podman.js';
import { execFixture, internalEgressNetwork, leftoversOf, scratchDir } from './exec-fixture.js';

// `airut sandbox exec "PROMPT"` end to end: the built CLI, the real Claude
// Code binary, the real network sandbox, and a fake Messages API reached
// through the proxy as https://api.anthropic.com (a TLS front with the test
// CA, on an --internal egress network this file creates). The API key is a
// masked secret: only the fake server may see the real value.
const runtime = testRuntime();
const claude = await realClaudeBinary();
const egress = await internalEgressNetwork(t, runtime);
const records = await scratchDir(t, 'anthropic');
const tag = randomBytes(3).toString('hex');
const { fake, frontIp } = await startFrontedAnthropic(t, runtime, egress, records, `airut-t-exec-${tag}`);
const REAL_KEY = `sk-ant-api03-${randomBytes(24).toString('hex')}`;
const base = [
  'sandbox', 'exec', '--egress-network', egress,
  '--upstream-host', `api.anthropic.com=${frontIp}`, '--upstream-ca', FAKE_UPSTREAM_CA,
  '--claude-binary', claude,
];

void t.test('the response on stdout, --json, then --continue of the same session', async (t) => {
  const fx = await execFixture(t);
  const first = await fx.run([...base, 'Say hello'], { env: { ANTHROPIC_API_KEY: REAL_KEY } });
  t.equal(first.exitCode, 0, first.stderr);
  t.equal(first.stdout, 'Hello from the fake server.', 'stdout is exactly the response');
  t.match(first.stderr, /airut: session [0-9a-f-]{36}/, 'progress and the session id go to stderr');
  t.notMatch(first.stderr, new RegExp(REAL_KEY), 'the real key is never printed');
  const messages = (await fake.requests()).filter((r) => r.url.startsWith('/v1/messages'));
  t.ok(messages.length > 0, 'the fake API was reached through the proxy');
  t.ok(messages.every((r) => r.headers['x-api-key'] === REAL_KEY), 'the proxy put the real key back on the way out');

  const second = await fx.run([...base, '--json', '--continue', 'Say hello again'], { env: { ANTHROPIC_API_KEY: REAL_KEY } });
  t.equal(second.exitCode, 0, second.stderr);
  const result = JSON.parse(second.stdout) as { outcome: string; sessionId: string; responseText: string };
  t.equal(result.outcome, 'success');
  t.equal(result.responseText, 'Hello from the fake server.');
  const sessionId = /airut: session ([0-9a-f-]{36})/.exec(first.stderr)?.[1];
  t.equal(result.sessionId, sessionId, '--continue resumed the last session of the repository');
  t.notMatch(second.stderr, /configuration file not found/i, 'Claude Code finds its settings from the first run');
  const last = (await fake.requests()).filter((r) => r.url.startsWith('/v1/messages')).at(-1);
  t.match(JSON.stringify(last?.body?.messages ?? []), /Say hello(?! again).*Hello from the fake server\..*Say hello again/s, 'the fake saw the earlier turn');
  t.same([...await leftoversOf(runtime, first.pid), ...await leftoversOf(runtime, second.pid)], [], 'no container or network is left');
});

void t.test('inside the container the key is a stand-in of the same shape', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([...base, 'RUN: printenv ANTHROPIC_API_KEY'], { env: { ANTHROPIC_API_KEY: REAL_KEY } });
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(result.stdout, 'Done: ran the command.');
  const last = (await fake.requests()).filter((r) => r.url.startsWith('/v1/messages')).at(-1);
  const seen = /sk-ant-api03-[0-9A-Za-z]+/.exec(JSON.stringify(last?.body?.messages ?? []))?.[0];
  t.ok(seen, 'the tool result carries the variable the container saw');
  t.not(seen, REAL_KEY, 'not the real key');
  t.equal(seen?.length, REAL_KEY.length, 'same length and prefix as the real key');
});

void t.test('--continue without an earlier session says so', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([...base, '--continue', 'again'], { env: { ANTHROPIC_API_KEY: REAL_KEY } });
  t.equal(result.exitCode, 125);
  t.match(result.stderr, /--continue: no earlier session is recorded/);
});
