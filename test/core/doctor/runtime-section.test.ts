import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { checkRuntime } from '../../../src/core/doctor/runtime-section.js';
import { FIXING_CONTAINERS_CONF } from '../../../src/core/doctor/probe-diagnosis.js';
import { ContainerRuntime } from '../../../src/sandbox/runtime/container-runtime.js';
import { fakeEngine, fakeTools } from './fake-tools.js';

function setup(t: Test, engine = 'podman') {
  const tools = fakeTools({ [engine]: fakeEngine() });
  t.teardown(() => tools.cleanup());
  const cgroupRoot = mkdtempSync(join(tmpdir(), 'airut-cgroup-'));
  t.teardown(() => rmSync(cgroupRoot, { recursive: true, force: true }));
  for (const controller of ['memory', 'cpu', 'pids']) mkdirSync(join(cgroupRoot, controller));
  const check = (fake: Record<string, string>, overrides: { uid?: number; command?: string } = {}) => checkRuntime({
    runtime: new ContainerRuntime({ command: overrides.command ?? engine, env: { PATH: tools.path, ...fake } }),
    commandSource: 'the default',
    uid: overrides.uid ?? 0,
    arch: 'x64',
    cgroupRoot,
    configDir: '/home/op/.config/airut',
    now: () => 0,
  });
  return { tools, check };
}

void t.test('a working podman passes version, backend, container start and limits', async (t) => {
  const { tools, check } = setup(t);
  const section = await check({ FAKE_VERSION: '4.3.1' });
  t.equal(section.name, 'Container runtime');
  t.same(section.checks.map((c) => [c.name, c.ok, c.severity]), [
    ['Podman', true, 'critical'],
    ['Network backend', true, 'critical'],
    ['Container start', true, 'critical'],
    ['Resource limits', true, 'warning'],
  ]);
  t.match(section.checks[0]?.detail, '4.3.1 (>= 4.0)');
  const calls = tools.calls();
  const run = calls.find((line) => line.startsWith('podman run '));
  t.match(run, /--rm .*--network none --pull never localhost\/airut-probe:\w+ \/probe$/);
  t.ok(calls.some((line) => /^podman import - localhost\/airut-probe:\w+$/.test(line)), 'imports the probe image from stdin');
  t.ok(calls.some((line) => line.startsWith('podman rmi -f localhost/airut-probe:')), 'removes the probe image');
});

void t.test('podman older than 4.0 is a critical failure', async (t) => {
  const { check } = setup(t);
  const section = await check({ FAKE_VERSION: '3.4.4-dev' });
  t.match(section.checks[0], { name: 'Podman', ok: false, severity: 'critical', detail: '3.4.4 is too old (need >= 4.0)', fix: /Upgrade podman/ });
});

void t.test('a missing engine fails once, with an install fix, and skips the live checks', async (t) => {
  const { check } = setup(t);
  const section = await check({}, { command: 'podman-not-installed' });
  t.same(section.checks.map((c) => c.name), ['Podman', 'Resource limits']);
  t.match(section.checks[0], { ok: false, detail: /"podman-not-installed" not found on PATH/, fix: /apt-get install -y podman runc/ });
});

void t.test('the CNI network backend is a critical failure', async (t) => {
  const { check } = setup(t);
  const section = await check({ FAKE_BACKEND: 'cni' });
  t.match(section.checks.find((c) => c.name === 'Network backend'), { ok: false, severity: 'critical', detail: /cni/, fix: /netavark/ });
});

for (const [mode, cause] of [['crun', /crun cannot manage this host's cgroups/], ['ulimit', /default ulimits cannot be set/]] as const) {
  void t.test(`a container start failing on ${mode} prints the containers.conf that fixes it`, async (t) => {
    const { check } = setup(t);
    const start = (await check({ FAKE_RUN: mode })).checks.find((c) => c.name === 'Container start');
    t.match(start, { ok: false, severity: 'critical', detail: cause });
    t.match(start?.detail, /podman said: Error: /, 'quotes the engine\'s error line, not its warnings');
    t.ok(start?.fix?.includes(FIXING_CONTAINERS_CONF.split('\n').map((line) => `  ${line}`).join('\n')), 'the fix holds the whole containers.conf');
    t.match(start?.fix, /\/home\/op\/\.config\/airut\/containers\.conf and set CONTAINERS_CONF/);
  });
}

void t.test('rootless users are told to use ~/.config/containers/containers.conf', async (t) => {
  const { check } = setup(t);
  const start = (await check({ FAKE_RUN: 'ulimit' }, { uid: 1000 })).checks.find((c) => c.name === 'Container start');
  t.match(start?.fix, /^Save this as ~\/\.config\/containers\/containers\.conf/);
});

void t.test('an unknown container start failure quotes the engine without a containers.conf', async (t) => {
  const { tools, check } = setup(t);
  const start = (await check({ FAKE_RUN: 'other' })).checks.find((c) => c.name === 'Container start');
  t.match(start, { ok: false, detail: /"podman run" of a throw-away container failed: Error: something unexpected happened/ });
  t.notMatch(start?.fix, /containers\.conf/);
  t.ok(tools.calls().some((line) => line.startsWith('podman rmi -f localhost/airut-probe:')), 'cleans up after a failed run too');
});

void t.test('docker is judged against its own minimum and has no network backend check', async (t) => {
  const { check } = setup(t, 'docker');
  const section = await check({ FAKE_VERSION: '24.0.5,' });
  t.same(section.checks.map((c) => [c.name, c.ok]), [['Docker', true], ['Container start', true], ['Resource limits', true]]);
  t.match(section.checks[0]?.detail, '24.0.5 (>= 20.10)');
  const old = await check({ FAKE_VERSION: '19.03.1' });
  t.match(old.checks[0], { ok: false, detail: '19.03.1 is too old (need >= 20.10)' });
});
