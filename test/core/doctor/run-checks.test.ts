import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { runChecks } from '../../../src/core/doctor/index.js';
import { fakeEngine, fakeTool, fakeTools } from './fake-tools.js';

/** A loopback port that was just free and has nobody listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const registryPort = await closedPort();

/** A fake HOME, fake podman/docker/git on PATH, a registry nobody listens on, a cgroup v2 tree. */
function world(t: Test) {
  const tools = fakeTools({ podman: fakeEngine(), docker: fakeEngine(), git: fakeTool('git version 2.39.5') });
  t.teardown(() => tools.cleanup());
  const home = mkdtempSync(join(tmpdir(), 'airut-home-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const cgroupRoot = join(home, 'cgroup');
  mkdirSync(cgroupRoot);
  writeFileSync(join(cgroupRoot, 'cgroup.controllers'), 'cpu memory pids\n');
  const configFile = join(home, '.config', 'airut', 'airut.yaml');
  mkdirSync(join(home, '.config', 'airut'), { recursive: true });
  const env = { PATH: tools.path, HOME: home, npm_config_registry: `http://127.0.0.1:${registryPort}/` };
  const run = (extraEnv: Record<string, string> = {}) => runChecks({
    env: { ...env, ...extraEnv },
    home,
    cwd: home,
    installed: { name: 'airut', version: '0.1.0' },
    uid: 0,
    arch: 'x64',
    cgroupRoot,
  });
  return { tools, home, configFile, run };
}

void t.test('a healthy host without a config passes every critical check', async (t) => {
  const { tools, configFile, run } = world(t);
  const report = await run();
  t.equal(report.ok, true);
  t.same(report.sections.map((section) => section.name), ['Version', 'Configuration', 'Container runtime', 'Git', 'Service']);
  t.match(report.sections[1]?.checks[0], { ok: true, detail: `${configFile} not found: no config, defaults (no repos)` });
  t.match(report.sections[0]?.checks[1], { name: 'Newest release', ok: false, severity: 'info', detail: `unknown: could not reach http://127.0.0.1:${registryPort}/ (ECONNREFUSED)` });
  t.ok(tools.calls().some((line) => line.startsWith('podman run ')), 'probed with podman by default');
});

void t.test('the runtime command and its environment come from the config', async (t) => {
  const { tools, configFile, run } = world(t);
  writeFileSync(configFile, `execution:\n  container_command: ${join(tools.dir, 'docker')}\n  container_env:\n    FAKE_RUN: ulimit\n    FAKE_VERSION: 24.0.5\n`);
  const report = await run();
  t.equal(report.ok, false);
  const runtime = report.sections.find((section) => section.name === 'Container runtime');
  t.match(runtime?.checks.map((check) => [check.name, check.ok]), [['Docker', true], ['Container start', false], ['Resource limits', true]]);
  t.match(runtime?.checks[1]?.fix, /default_ulimits = \[ "nofile=1024:1024", "nproc=1024:1024" \]/);
  t.notOk(tools.calls().some((line) => line.startsWith('podman ')), 'podman was not used');
});

void t.test('an invalid config fails the Configuration check with located problems', async (t) => {
  const { configFile, run } = world(t);
  writeFileSync(configFile, 'repos:\n  x:\n    model: 5\n');
  const report = await run();
  t.equal(report.ok, false);
  const check = report.sections[1]?.checks[0];
  t.match(check, { name: 'Config file', ok: false, severity: 'critical', detail: new RegExp(`^${configFile}: invalid\\n`) });
  t.match(check?.detail, /repos\.x\.model: .*\(airut\.yaml line 3, column \d+\)/);
  t.equal(report.sections[2]?.checks.every((c) => c.ok), true, 'the runtime is still checked, with the defaults');
});

void t.test('an unset !env variable is named with its key', async (t) => {
  const { configFile, run } = world(t);
  writeFileSync(configFile, 'vars:\n  password: !env UNSET_VAR_XYZ\n');
  const report = await run();
  t.equal(report.ok, false);
  t.match(report.sections[1]?.checks[0]?.detail, /vars\.password: .*UNSET_VAR_XYZ/);
});

void t.test('a .env beside the config is shown and fills in !env variables', async (t) => {
  const { configFile, run } = world(t);
  writeFileSync(configFile, 'vars:\n  password: !env UNSET_VAR_XYZ\n');
  writeFileSync(join(configFile, '..', '.env'), 'UNSET_VAR_XYZ=from-dotenv\n');
  const report = await run();
  t.equal(report.ok, true);
  t.match(report.sections[1]?.checks, [
    { name: 'Config file', ok: true, detail: `${configFile}: valid, no repos configured` },
    { name: 'Schema', ok: true, severity: 'info', detail: 'up to date (v1)' },
    { name: 'Env file', ok: true, severity: 'info', detail: /\.config\/airut\/\.env/ },
  ]);
});
