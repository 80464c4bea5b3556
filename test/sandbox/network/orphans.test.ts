import t from 'tap';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Allowlist } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import { testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';

// kill -9 of a process mid-task skips every release; the next startup() with
// the same prefix removes what it left: proxy (unless it already stopped by
// itself when its stdin closed), task network and the per-task dir. A live
// process's resources are kept.

const runtime = testRuntime();
const CHILD = fileURLToPath(new URL('./orphan-child.ts', import.meta.url));
// The child runs TypeScript through the same loader tap gave this process.
const LOADER = process.execArgv.filter((arg) => arg.startsWith('--import=') && arg.includes('typescript'));

void t.test('startup removes what a killed process left behind, and nothing of a live one', async (t) => {
  const prefix = uniquePrefix();
  const caDir = await tempDir(t, 'ca');
  const egress = await testEgressNetwork(t, runtime, prefix);
  const packageRoot = await builtPackageRoot();
  const tmp = await tempDir(t, 'proxy-tmp');
  const contextDir = await tempDir(t, 'context');

  const child = execa(process.execPath, [...LOADER, CHILD, prefix, caDir, egress, packageRoot, tmp, contextDir], { reject: false });
  t.teardown(() => { child.kill('SIGKILL'); });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('attached')) resolve(); });
    void child.then((result) => reject(new Error(`child ended before attaching: ${result.stderr}`)));
  });

  const sandbox = new NetworkSandbox({
    runtime, resourcePrefix: prefix, caDir, allowlist: new Allowlist('test', { domains: [], url_prefixes: [] }),
    egressNetwork: egress, packageRoot, tmpDir: tmp,
  });
  const whileAlive = await new NetworkSandbox({
    runtime, resourcePrefix: prefix, caDir, allowlist: new Allowlist('test', { domains: [], url_prefixes: [] }),
    egressNetwork: egress, packageRoot, tmpDir: tmp,
  }).startup();
  t.same(whileAlive.removed, { containers: [], networks: [], files: [] }, 'a live owner keeps its resources');
  t.same((await leftovers(runtime, prefix)).sort(), [`${prefix}-net-killed`, `${prefix}-proxy-killed`]);

  child.kill('SIGKILL');
  await child;
  t.equal((await readdir(tmp)).length, 1, 'the killed task left its secrets dir');

  const report = await sandbox.startup();
  // The proxy also stops by itself once its host process is gone (its stdin closes), so it may be gone already.
  t.ok(report.removed.containers.every((name) => name === `${prefix}-proxy-killed`), `removed containers: ${report.removed.containers.join(', ')}`);
  t.same(report.removed.networks, [`${prefix}-net-killed`]);
  t.equal(report.removed.files.length, 1);
  t.same(await leftovers(runtime, prefix), [], 'no container or network left');
  t.same(await readdir(tmp), [], 'no per-task file left');
});
