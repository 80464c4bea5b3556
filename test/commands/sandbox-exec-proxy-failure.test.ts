import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Test } from 'tap';
import t from 'tap';
import { OWNER_LABEL } from '../../src/sandbox/runtime/resource-labels.js';
import { realClaudeBinary } from '../harness/claude-binary.js';
import { startFakeAnthropic, startTlsFront } from '../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../harness/fake-upstream/fake-upstream.js';
import { BIN } from '../harness/cli.js';
import { testRuntime } from '../harness/podman.js';
import { execFixture, filesIn, internalEgressNetwork, leftoversOf, scratchDir } from '../core/run/exec-fixture.js';

// `airut sandbox exec` whose proxy container is killed mid-run, as a user
// runs it on real podman: the run ends at once with exit 125, the reason on
// stderr and in the network log, and nothing left behind. Command mode, and
// prompt mode with the real Claude Code against the fake Messages API.

/**
 * Bound on how long after the failure the run may end. Without the watch a run
 * went on for minutes (the task sleeps 600 s here); with it the end comes in
 * about 1.5-2.5 s on an idle machine. The bound is loose on purpose: the suite
 * shares two cores with other test files, and a timing target is a benchmark's
 * job, not a pass/fail test's. The message reports the real figure.
 */
const END_WITHIN_MS = 30_000;
const runtime = testRuntime();
const egress = await internalEgressNetwork(t, runtime);
const sandboxed = ['sandbox', 'exec', '--egress-network', egress];

/** Kills the proxy container the CLI process `pid` owns; resolves when podman has killed it. */
async function killProxyOf(pid: number | undefined): Promise<number> {
  const names = (await runtime.run(['ps', '--filter', `label=${OWNER_LABEL}=${String(pid)}`, '--format', '{{.Names}}'])).stdout.split('\n');
  const proxy = names.find((name) => /-proxy-/.test(name));
  if (proxy === undefined) throw new Error(`no proxy container of pid ${String(pid)} among ${names.join(', ')}`);
  await runtime.run(['kill', proxy]);
  return performance.now();
}

async function assertFailedCleanly(t: Test, child: ResultPromise, killedAt: number, log: string, tmp: string): Promise<string> {
  const result = await child;
  const endedAfterMs = performance.now() - killedAt;
  const stderr = String(result.stderr);
  t.equal(result.exitCode, 125, stderr);
  t.ok(endedAfterMs < END_WITHIN_MS, `the run ended ${Math.round(endedAfterMs)} ms after the kill (limit ${END_WITHIN_MS})`);
  t.match(await readFile(log, 'utf8'), /^ERROR PROXY airut-cli-proxy-\S+ -> proxy container airut-cli-proxy-\S+ (was killed|exited with code \d+).*; the task is stopped$/m, 'the network log says so');
  t.same(await leftoversOf(runtime, child.pid), [], 'container, proxy and network are removed');
  t.same(await filesIn(tmp), [], 'no temp file is left');
  return stderr;
}

void t.test('command mode: the proxy killed mid-run ends the run with exit 125 and the reason on stderr', async (t) => {
  const fx = await execFixture(t);
  const log = join(await scratchDir(t, 'exec-pf'), 'net.log');
  const child = fx.start([...sandboxed, '--network-log', log, '--', 'sh', '-c', 'echo started; exec sleep 600']);
  await new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('started')) resolve(); });
  });
  const killedAt = await killProxyOf(child.pid);
  const stderr = await assertFailedCleanly(t, child, killedAt, log, fx.tmp);
  t.match(stderr, /^airut: the network sandbox's proxy failed, so the command was stopped \(exit 125\): proxy container airut-cli-proxy-\S+ (was killed|exited with code \d+)/m);
});

void t.test('prompt mode: Claude Code losing its proxy ends the run with outcome proxy_failed and exit 125', async (t) => {
  const claude = await realClaudeBinary();
  const dir = await scratchDir(t, 'exec-pf');
  const fake = await startFakeAnthropic(runtime, egress, dir, `airut-t-exec-pf-${process.pid}`);
  t.teardown(() => fake.stop());
  const frontIp = await startTlsFront(t, runtime, egress, `airut-t-exec-pf-front-${process.pid}`, new URL(fake.url).host);
  const fx = await execFixture(t);
  const log = join(dir, 'net.log');
  const child = execa(process.execPath, [
    BIN, ...sandboxed, '--network-log', log, '--claude-binary', claude,
    '--upstream-host', `api.anthropic.com=${frontIp}`, '--upstream-ca', FAKE_UPSTREAM_CA,
    'RUN: touch /workspace/started; sleep 600',
  ], { cwd: fx.repo, env: { PATH: process.env.PATH ?? '', ...fx.env, ANTHROPIC_API_KEY: 'sk-ant-api03-exec-proxy-failure' }, extendEnv: false, reject: false, stdin: 'ignore' });
  const started = join(fx.repo, 'started');
  while (!await access(started).then(() => true, () => false)) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const killedAt = await killProxyOf(child.pid);
  const stderr = await assertFailedCleanly(t, child, killedAt, log, fx.tmp);
  t.match(stderr, /^airut: the run ended with outcome proxy_failed:\nThe network sandbox's proxy failed, so the run was stopped: proxy container airut-cli-proxy-\S+ (was killed|exited with code \d+)/m);
});
