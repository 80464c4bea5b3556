import t from 'tap';
import { allowlistFromObject } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import type { ProxyEvent } from '../../../src/sandbox/proxy/index.js';
import { FAKE_UPSTREAM_CA, startFakeUpstream } from '../../harness/fake-upstream/fake-upstream.js';
import { testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, runInTask, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';

// Holds through the real network sandbox: a task container's curl to a host
// its allowlist blocks waits at the proxy container while the host decides
// through NetworkSandbox.decide; the container's other requests keep flowing.

const runtime = testRuntime();
const HOLD_SECONDS = 8;

void t.test('a held request: allow lets it (and its entry) through, deny and no answer give the 403, other hosts flow meanwhile', async (t) => {
  const prefix = uniquePrefix();
  const egressNetwork = await testEgressNetwork(t, runtime, prefix);
  const upstream = await startFakeUpstream(t, runtime, egressNetwork, `${prefix}-upstream`);
  const events: ProxyEvent[] = [];
  const box: { sandbox?: NetworkSandbox } = {};
  const onEvent = (event: ProxyEvent): void => {
    events.push(event);
    const sandbox = box.sandbox;
    if (sandbox === undefined || event.event !== 'hold') {
      // The held request is allowed once the container's five requests to the other host are through.
      const held = events.find((e) => e.event === 'hold' && e.path === '/simple/x');
      const others = events.filter((e) => e.event === 'log' && e.kind === 'ALLOWED' && e.line.includes('https://allowed.test/during/')).length;
      if (held?.event === 'hold' && others === 5 && event.event === 'log' && event.line.includes('https://allowed.test/during/')) {
        t.equal(sandbox?.decide('ctx', held.id, true), true, 'the allow is sent');
        t.equal(sandbox?.decide('ctx', held.id, false), false, 'a second answer to the same hold sends nothing');
      }
      return;
    }
    if (event.path === '/simple/deny') t.equal(sandbox.decide('ctx', event.id, false), true, 'the deny is sent');
  };
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({ domains: ['allowed.test'], url_prefixes: [] }, 'test allowlist'),
    egressNetwork,
    upstreamHosts: { 'allowed.test': upstream.ip, 'other.test': upstream.ip },
    upstreamCaFile: FAKE_UPSTREAM_CA,
    packageRoot: await builtPackageRoot(),
    tmpDir: await tempDir(t, 'proxy-tmp'),
    onNetworkLine: onEvent,
    approvalHoldSeconds: HOLD_SECONDS,
  });
  box.sandbox = sandbox;
  const attachment = await sandbox.attach('ctx', await tempDir(t, 'context'));
  t.teardown(async () => {
    await attachment.release();
    await sandbox.close();
  });
  t.equal(sandbox.decide('ctx', 'h42', true), false, 'an id the proxy never announced sends nothing');

  const curl = (name: string, url: string): string => `curl -sS --max-time 30 -o /dev/null -w "${name} %{http_code} %{time_total}\\n" ${url}`;
  const script = [
    `${curl('held', 'https://other.test/simple/x?v=1')} > /tmp/held &`,
    // The hold is announced within a second; then the other host is asked five times.
    'sleep 1',
    ...Array.from({ length: 5 }, (_, i) => curl(`during${i}`, `https://allowed.test/during/${i}`)),
    'wait', 'cat /tmp/held',
    curl('again', 'https://other.test/simple/x?v=2'),
    curl('denied', 'https://other.test/simple/deny'),
    curl('expired', 'https://other.test/simple/timeout'),
  ].join('\n');
  const run = await runInTask(runtime, attachment, script);
  t.equal(run.exitCode, 0, run.stderr);
  const results = new Map(run.stdout.trim().split('\n').map((line) => {
    const [name, status, seconds] = line.split(' ');
    return [name as string, { status: Number(status), ms: Number(seconds) * 1000 }];
  }));
  t.comment(run.stdout.trim().replace(/\n/g, ' | '));

  const during = [0, 1, 2, 3, 4].map((i) => results.get(`during${i}`));
  t.ok(during.every((r) => r?.status === 200), 'the other host answered while the request was held');
  const worst = Math.max(...during.map((r) => r?.ms ?? Infinity));
  t.ok(worst < (HOLD_SECONDS * 1000) / 10, `slowest other-host request ${worst.toFixed(0)} ms, far below the ${HOLD_SECONDS} s hold`);
  t.equal(results.get('held')?.status, 200, 'the held request completed after the allow');
  t.equal(results.get('again')?.status, 200, 'its entry stays allowed');
  t.equal(results.get('denied')?.status, 403, 'deny: 403');
  t.equal(results.get('expired')?.status, 403, 'no answer: 403');
  t.ok((results.get('expired')?.ms ?? 0) >= HOLD_SECONDS * 1000 - 500, 'after the hold time');

  const holds = events.filter((e) => e.event === 'hold').map((e) => e.event === 'hold' ? e.path : '');
  t.same(holds, ['/simple/x', '/simple/deny', '/simple/timeout'], 'one hold per entry; the allowed entry was not held again');
  const ends = events.filter((e) => e.event === 'hold_end').map((e) => e.event === 'hold_end' ? e.outcome : '');
  t.same(ends, ['allowed', 'denied', 'expired']);
  const heldAt = events.findIndex((e) => e.event === 'hold');
  const allowedAt = events.findIndex((e) => e.event === 'hold_end');
  const duringAt = events.flatMap((e, i) => (e.event === 'log' && e.line.includes('https://allowed.test/during/') ? [i] : []));
  t.ok(duringAt.length === 5 && duringAt.every((i) => i > heldAt && i < allowedAt), 'the five other-host requests were answered while the hold waited');
  t.notOk(upstream.requests.some((r) => r.url.startsWith('/simple/deny') || r.url.startsWith('/simple/timeout')), 'nothing refused reached the upstream');
});
