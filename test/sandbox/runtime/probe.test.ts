import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ContainerRuntime } from '../../../src/sandbox/runtime/container-runtime.js';
import { probeContainerStart } from '../../../src/sandbox/runtime/probe.js';
import { testContainersConf } from '../../harness/podman.js';

async function leftovers(runtime: ContainerRuntime, id: string): Promise<string> {
  const containers = await runtime.run(['ps', '-a', '--filter', `name=airut-probe-${id}`, '--format', '{{.Names}}']);
  const images = await runtime.call(['image', 'exists', `localhost/airut-probe:${id}`]);
  return `${containers.stdout}${images.exitCode === 0 ? ' image' : ''}`.trim();
}

void t.test('a probe container starts on a correctly configured engine and leaves nothing behind', async (t) => {
  const runtime = new ContainerRuntime({ env: { CONTAINERS_CONF: testContainersConf() } });
  const id = `test${process.pid}a`;
  const result = await probeContainerStart(runtime, { id });
  t.same(result, { ok: true, image: `localhost/airut-probe:${id}` });
  t.equal(await leftovers(runtime, id), '');
});

void t.test('with podman\'s defaults on this machine kind the run step fails with the engine\'s message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'airut-probe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const emptyConf = join(dir, 'containers.conf');
  writeFileSync(emptyConf, '');
  const runtime = new ContainerRuntime({ env: { CONTAINERS_CONF: emptyConf } });
  const id = `test${process.pid}b`;
  const result = await probeContainerStart(runtime, { id });
  t.equal(result.ok, false);
  t.match(result, { stage: 'run', stderr: /rlimit|cgroup/i });
  t.not(result.ok === false && result.exitCode, 0);
  t.equal(await leftovers(new ContainerRuntime({ env: { CONTAINERS_CONF: testContainersConf() } }), id), '');
});

void t.test('a missing engine executable is a typed error', async (t) => {
  const runtime = new ContainerRuntime({ command: 'airut-no-such-podman' });
  await t.rejects(probeContainerStart(runtime), { code: 'RUNTIME_NOT_FOUND' });
});

void t.test('an architecture without a probe program is a typed error', async (t) => {
  await t.rejects(probeContainerStart(new ContainerRuntime(), { arch: 'riscv64' }), { code: 'RUNTIME_PROBE_UNSUPPORTED_ARCH' });
});
