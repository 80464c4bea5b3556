import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { assertNetworkBackend, NETWORK_BACKEND_FIX } from '../../../src/sandbox/network/network-backend.js';
import { NetworkSandbox } from '../../../src/sandbox/network/network-sandbox.js';
import { ContainerRuntime } from '../../../src/sandbox/runtime/container-runtime.js';
import { fakeEngine, fakeTool, fakeTools } from '../../core/doctor/fake-tools.js';

function fakePodman(t: Test, script = fakeEngine()) {
  const tools = fakeTools({ podman: script });
  t.teardown(() => tools.cleanup());
  const runtime = (backend: string) => new ContainerRuntime({ command: 'podman', env: { PATH: tools.path, FAKE_BACKEND: backend } });
  return { tools, runtime };
}

void t.test('netavark is accepted and named', async (t) => {
  const { runtime } = fakePodman(t);
  t.equal(await assertNetworkBackend(runtime('netavark')), 'netavark');
});

for (const backend of ['cni', 'CNI', 'netavark-ish', '']) {
  void t.test(`backend "${backend}" is refused with the fix`, async (t) => {
    const { runtime } = fakePodman(t, fakeTool(backend));
    await t.rejects(assertNetworkBackend(runtime(backend)), {
      code: 'NETWORK_BACKEND_UNSUPPORTED',
      exitCode: 125,
      message: new RegExp(`network backend is ${backend === '' ? 'unknown' : backend}; .*need netavark`),
      hint: NETWORK_BACKEND_FIX,
    });
  });
}

void t.test('a podman info that fails leaves the backend unknown: refused, naming the error', async (t) => {
  const { runtime } = fakePodman(t, fakeTool('Error: cannot connect to the podman service', 125));
  await t.rejects(assertNetworkBackend(runtime('netavark')), { code: 'NETWORK_BACKEND_UNSUPPORTED', message: /"podman info" failed.*cannot connect/ });
});

void t.test('a network sandbox on CNI fails at startup before it creates or removes anything', async (t) => {
  const { tools, runtime } = fakePodman(t);
  const caDir = mkdtempSync(join(tmpdir(), 'airut-ca-'));
  t.teardown(() => rmSync(caDir, { recursive: true, force: true }));
  const sandbox = new NetworkSandbox({
    runtime: runtime('cni'),
    resourcePrefix: 'airut-backend-test',
    caDir,
    allowlist: { domains: [], urlPrefixes: [] } as never,
    packageRoot: '/nonexistent',
  });
  await t.rejects(sandbox.startup(), { code: 'NETWORK_BACKEND_UNSUPPORTED', hint: NETWORK_BACKEND_FIX });
  await t.rejects(sandbox.attach('ctx-1', caDir), { code: 'NETWORK_BACKEND_UNSUPPORTED' });
  t.same(tools.calls(), ['podman info --format {{.Host.NetworkBackend}}', 'podman info --format {{.Host.NetworkBackend}}'], 'asked podman for its backend and did nothing else');
});
