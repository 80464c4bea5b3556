import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { airut, tempHome } from '../harness/cli.js';
import { testContainersConf } from '../harness/podman.js';

// `airut check` as a user runs it, against the real podman and git of this
// machine. The npm registry is a loopback port nobody listens on, so nothing
// leaves the machine (the version notice then says the registry was unreachable).
async function checkEnv(t: Test, extra: Record<string, string>): Promise<{ env: Record<string, string>; configFile: string }> {
  const home = await tempHome();
  t.teardown(home.cleanup);
  const configFile = join(home.env.XDG_CONFIG_HOME, 'airut', 'airut.yaml');
  await mkdir(join(home.env.XDG_CONFIG_HOME, 'airut'), { recursive: true });
  return { env: { ...home.env, npm_config_registry: 'http://127.0.0.1:1/', ...extra }, configFile };
}

interface JsonReport {
  ok: boolean;
  sections: { name: string; checks: { name: string; ok: boolean; severity: string; detail: string; fix: string | null }[] }[];
}

function findCheck(report: JsonReport, section: string, name: string) {
  return report.sections.find((s) => s.name === section)?.checks.find((c) => c.name === name);
}

void t.test('check --json on a provisioned machine exits 0 with the documented shape', async (t) => {
  const { env } = await checkEnv(t, { CONTAINERS_CONF: testContainersConf() });
  const result = await airut(['check', '--json'], env);
  t.equal(result.exitCode, 0, result.stdout);
  t.equal(result.stderr, '');
  const report = JSON.parse(result.stdout) as JsonReport;
  t.equal(report.ok, true);
  t.same(report.sections.map((s) => s.name), ['Version', 'Configuration', 'Container runtime', 'Git', 'Service']);
  for (const check of report.sections.flatMap((s) => s.checks)) {
    t.same(Object.keys(check).sort(), ['detail', 'fix', 'name', 'ok', 'severity'], `${check.name} has exactly the documented keys`);
    t.ok(['critical', 'warning', 'info'].includes(check.severity), `${check.name} severity`);
  }
  t.match(findCheck(report, 'Container runtime', 'Podman'), { ok: true, detail: /^4\.\d+\.\d+ \(>= 4\.0\)$/ });
  t.match(findCheck(report, 'Container runtime', 'Network backend'), { ok: true, detail: 'netavark' });
  t.match(findCheck(report, 'Container runtime', 'Container start'), { ok: true });
  t.match(findCheck(report, 'Git', 'Git'), { ok: true });
  t.match(findCheck(report, 'Version', 'Installed'), { ok: true, detail: /^airut \d+\.\d+\.\d+/ });
});

void t.test('with podman\'s defaults (an empty containers.conf) the probe fails and the fix is printed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-conf-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const empty = join(dir, 'containers.conf');
  await writeFile(empty, '');
  const { env } = await checkEnv(t, { CONTAINERS_CONF: empty });
  const result = await airut(['check'], env);
  t.equal(result.exitCode, 1);
  t.match(result.stdout, /✗ Container start: podman cannot start containers: /);
  for (const line of ['[containers]', 'default_ulimits = [ "nofile=1024:1024", "nproc=1024:1024" ]', '[engine]', 'runtime = "runc"', 'cgroup_manager = "cgroupfs"', 'events_logger = "file"', '[network]', 'network_backend = "netavark"']) {
    t.ok(result.stdout.includes(`        ${line}\n`), `prints ${line}`);
  }
  t.match(result.stdout, /set CONTAINERS_CONF to that path/);
  // podman's default backend is CNI once its storage holds images (as on any machine that ran the suite's
  // provisioning), netavark on an empty one: the fix above sets it either way.
  t.match(result.stdout, /(1 critical check failed: Container start|2 critical checks failed: Network backend, Container start)\.$/);
  t.notMatch(result.stderr, /\bat .*\.js:\d+/, 'no stack trace');
});

void t.test('an invalid config makes check exit 1 and name the key', async (t) => {
  const { env, configFile } = await checkEnv(t, { CONTAINERS_CONF: testContainersConf() });
  await writeFile(configFile, 'repos:\n  x:\n    model: 5\n');
  const result = await airut(['check', '--json'], env);
  t.equal(result.exitCode, 1);
  const report = JSON.parse(result.stdout) as JsonReport;
  t.equal(report.ok, false);
  t.match(findCheck(report, 'Configuration', 'Config file'), { ok: false, severity: 'critical', detail: /repos\.x\.model: / });
  t.equal(result.stderr, '');
});

void t.test('an unset !env variable is named with its key; --config picks the file', async (t) => {
  const { env } = await checkEnv(t, { CONTAINERS_CONF: testContainersConf() });
  const dir = await mkdtemp(join(tmpdir(), 'airut-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'other.yaml');
  await writeFile(file, 'vars:\n  password: !env UNSET_VAR_XYZ\n');
  const result = await airut(['check', '--config', file], env);
  t.equal(result.exitCode, 1);
  t.match(result.stdout, /✗ Config file: .*other\.yaml: invalid\n.*vars\.password: .*UNSET_VAR_XYZ/);
});
