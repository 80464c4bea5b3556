import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Allowlist } from '../../../src/sandbox/network/allowlist/allowlist.js';
import { NETWORK_LOG_FILE, NetworkSandbox } from '../../../src/sandbox/network/network-sandbox.js';
import { testRuntime } from '../../harness/podman.js';
import { leftovers, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';

// The host side of the proxy's health reports, with a stand-in proxy program
// in the real proxy container (real podman): a proxy whose DNS responder stops
// answering, or that stops reporting at all, fails the attachment with a
// reason, and the network log says so. The real program's reports are
// covered in test/sandbox/proxy (main, dns-health).

const runtime = testRuntime();

/** A stand-in proxy that reports `healthy` good reports every 100 ms, then `after` (bad DNS reports, or silence). */
function standIn(healthy: number, after: 'dns-fails' | 'silence'): string {
  return `
import { createInterface } from 'node:readline';
const emit = (event) => process.stdout.write(JSON.stringify(event) + '\\n');
let reports = 0;
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line !== 'start') return;
  emit({ event: 'ready', http_port: 80, https_port: 443, dns_port: 53, health_ms: 100 });
  setInterval(() => {
    reports += 1;
    if (reports <= ${healthy}) emit({ event: 'health', dns: 'ok' });
    else if (${JSON.stringify(after)} === 'dns-fails') emit({ event: 'health', dns: 'no answer from 10.0.0.2:53/udp within 80 ms' });
  }, 100);
});
lines.on('close', () => { emit({ event: 'stopped' }); process.exit(0); });
emit({ event: 'waiting' });
`;
}

async function attachWith(t: Test, program: string, waitMs = 15_000): Promise<{ failure: string | undefined; log: string; prefix: string; tmp: string }> {
  const root = await tempDir(t, 'pkg');
  await mkdir(join(root, 'dist', 'sandbox', 'proxy'), { recursive: true });
  await writeFile(join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(join(root, 'dist', 'sandbox', 'proxy', 'main.js'), program);
  const prefix = uniquePrefix();
  const tmp = await tempDir(t, 'proxy-tmp');
  const contextDir = await tempDir(t, 'context');
  const sandbox = new NetworkSandbox({
    runtime, resourcePrefix: prefix, caDir: await tempDir(t, 'ca'), allowlist: new Allowlist('test', { domains: [], url_prefixes: [] }),
    egressNetwork: await testEgressNetwork(t, runtime, prefix), packageRoot: root, tmpDir: tmp,
  });
  t.teardown(() => sandbox.close());
  const attachment = await sandbox.attach('ctx', contextDir);
  const failure = await Promise.race([attachment.failed, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), waitMs))]);
  await attachment.release();
  return { failure, log: await readFile(join(contextDir, NETWORK_LOG_FILE), 'utf8'), prefix, tmp };
}

void t.test('a proxy whose DNS responder stops answering fails the task\'s network, with the proxy\'s own words', async (t) => {
  const run = await attachWith(t, standIn(3, 'dns-fails'));
  t.equal(run.failure, 'the proxy\'s DNS responder stopped answering: no answer from 10.0.0.2:53/udp within 80 ms');
  t.match(run.log, /^ERROR PROXY \S+-proxy-ctx -> the proxy's DNS responder stopped answering: no answer from 10\.0\.0\.2:53\/udp within 80 ms; the task is stopped$/m);
  t.same(await leftovers(runtime, run.prefix), [], 'release removed the proxy and the task network');
  t.same(await readdir(run.tmp), [], 'and the slot dir');
});

void t.test('a proxy that stops reporting fails it too; one that keeps reporting does not', async (t) => {
  const silent = await attachWith(t, standIn(3, 'silence'));
  t.match(silent.failure, /^the proxy sent no health report for \d+\.\d s: it is frozen or stuck$/);
  t.match(silent.log, /^ERROR PROXY \S+ -> the proxy sent no health report/m);
  // With 100 ms reports a stall is 500 ms: 4 s hold eight of them.
  const healthy = await attachWith(t, standIn(1_000_000, 'silence'), 4000);
  t.equal(healthy.failure, undefined, 'no failure in 4 s of good reports');
  t.notMatch(healthy.log, /ERROR PROXY/);
  t.same(await leftovers(runtime, healthy.prefix), []);
});
