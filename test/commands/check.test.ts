import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { airut, tempHome } from '../harness/cli.js';
import { testContainersConf } from '../harness/podman.js';
import { fakeTool, fakeTools } from '../core/doctor/fake-tools.js';

// `airut check` as a user runs it, against the real podman and git of this
// machine. The npm registry is a loopback port nobody listens on, so nothing
// leaves the machine (the version notice then says the registry was unreachable).
async function checkEnv(t: Test, extra: Record<string, string>): Promise<{ env: Record<string, string>; configFile: string; home: string }> {
  const home = await tempHome();
  t.teardown(home.cleanup);
  const configFile = join(home.env.XDG_CONFIG_HOME, 'airut', 'airut.yaml');
  await mkdir(join(home.env.XDG_CONFIG_HOME, 'airut'), { recursive: true });
  return { env: { ...home.env, npm_config_registry: 'http://127.0.0.1:1/', ...extra }, configFile, home: home.home };
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

/** A stand-in for a running service of another version: its dashboard's /api/health and /api/version on 127.0.0.1. */
async function olderService(t: Test, version: string): Promise<number> {
  const server = createServer((req, res) => {
    const body = req.url === '/api/version' ? { version } : req.url === '/api/health' ? { status: 'ok', version, problems: [] } : { error: 'not_found' };
    res.writeHead(req.url === '/api/version' || req.url === '/api/health' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

void t.test('the schema and env-file lines, the running service with its URL, and a version mismatch: informational, exit 0', async (t) => {
  const { env, configFile, home } = await checkEnv(t, { CONTAINERS_CONF: testContainersConf() });
  const port = await olderService(t, '0.0.1');
  await writeFile(configFile, `config_version: 1\ndashboard:\n  host: 127.0.0.1\n  port: ${port}\n  base_url: https://airut.example.com\n`);
  await writeFile(join(configFile, '..', '.env'), 'UNUSED=1\n');
  await mkdir(join(home, '.config', 'systemd', 'user'), { recursive: true });
  await writeFile(join(home, '.config', 'systemd', 'user', 'airut.service'), '[Unit]\n');
  const tools = fakeTools({ systemctl: fakeTool('active') });
  t.teardown(() => tools.cleanup());
  const result = await airut(['check', '--json'], { ...env, PATH: `${tools.dir}:${env.PATH ?? process.env.PATH ?? ''}` });
  t.equal(result.exitCode, 0, result.stdout);
  const report = JSON.parse(result.stdout) as JsonReport;
  t.same(report.sections.find((s) => s.name === 'Configuration')?.checks.map((c) => c.name), ['Config file', 'Schema', 'Env file']);
  t.match(findCheck(report, 'Configuration', 'Schema'), { ok: true, severity: 'info', detail: 'up to date (v1)' });
  t.match(findCheck(report, 'Configuration', 'Env file'), { ok: true, severity: 'info', detail: new RegExp(`^${join(configFile, '..', '.env').replace(/[.]/g, '\\.')} `) });
  t.match(findCheck(report, 'Service', 'airut.service'), { ok: true, detail: /^installed and running at https:\/\/airut\.example\.com / }, 'base_url is the URL shown');
  t.match(findCheck(report, 'Service', 'service health'), { ok: true, detail: `ok at http://127.0.0.1:${port}` }, 'health is read on the local address');
  t.match(findCheck(report, 'Service', 'running version'), { ok: false, severity: 'info', detail: /^version mismatch: running 0\.0\.1, installed \d+\.\d+\.\d+/, fix: /systemctl --user restart airut/ });
  t.same(tools.calls(), ['systemctl --user is-active airut.service']);

  const human = await airut(['check'], { ...env, PATH: `${tools.dir}:${env.PATH ?? process.env.PATH ?? ''}` });
  t.equal(human.exitCode, 0);
  t.match(human.stdout, /- running version: version mismatch: running 0\.0\.1, installed /);
  t.match(human.stdout, /✓ Schema: up to date \(v1\)/);
});

void t.test('no schema line for a file that is not YAML, no env-file line without a .env', async (t) => {
  const { env, configFile } = await checkEnv(t, { CONTAINERS_CONF: testContainersConf() });
  await writeFile(configFile, 'repos: [\n');
  const result = await airut(['check', '--json'], env);
  t.equal(result.exitCode, 1, 'the config check itself fails');
  const report = JSON.parse(result.stdout) as JsonReport;
  t.same(report.sections.find((s) => s.name === 'Configuration')?.checks.map((c) => c.name), ['Config file']);
});
