import { createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { airut, airutBackground, BIN, tempHome, waitForLine } from '../harness/cli.js';
import { fakeGlobalInstall, fakePath, readCalls } from '../harness/fake-bin/index.js';

const VERSION = (JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/** A temp HOME, a fake global npm install of the built package, the fake tools first on PATH. */
async function setup(t: Test, extra: Record<string, string> = {}) {
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const prefix = await mkdtemp(join(tmpdir(), 'airut-prefix-'));
  t.teardown(() => rm(prefix, { recursive: true, force: true }));
  const install = await fakeGlobalInstall(prefix);
  const log = join(home, 'calls.jsonl');
  return {
    home,
    log,
    install,
    env: { ...env, PATH: fakePath(), USER: 'ops', FAKE_BIN_LOG: log, FAKE_NPM_ROOT: install.npmRoot, ...extra },
  };
}

/** Runs the globally "installed" airut, as `airut ARGS` would. */
function installedAirut(entryPoint: string, args: string[], env: Record<string, string>) {
  return execa(process.execPath, [entryPoint, ...args], { env, extendEnv: false, reject: false });
}

/** A real `airut serve` on a free loopback port; returns its port. */
async function startServe(t: Test, env: Record<string, string>): Promise<string> {
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  t.teardown(async () => {
    child.kill('SIGTERM');
    await child;
  });
  const [, url] = await waitForLine(child, /dashboard listening url=(\S+)/) as [string, string];
  return new URL(url).port;
}

/** A stand-in service whose /api/health reports what `tasks` currently holds. */
async function fakeHealth(t: Test, tasks: { running: number; queued: number }): Promise<string> {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ status: 'ok', tasks: { ...tasks, completed: 0, failed: 0 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  return String((server.address() as { port: number }).port);
}

t.test('refuses while the service has tasks in flight, changing nothing', async (t) => {
  const { env, log, install } = await setup(t);
  const port = await fakeHealth(t, { running: 1, queued: 2 });
  const result = await installedAirut(install.entryPoint, ['update'], { ...env, AIRUT_DASHBOARD_PORT: port });
  t.equal(result.exitCode, 75);
  t.match(result.stderr, /cannot update while tasks are in flight: 1 running, 2 queued/);
  t.match(result.stderr, /airut update --wait/);
  t.match(result.stderr, /airut update --force/);
  t.same(await readCalls(log), [], 'neither npm nor systemctl ran');
});

t.test('--wait waits until the tasks are done, then updates', async (t) => {
  const { env, log, install } = await setup(t, { FAKE_NPM_LATEST: VERSION });
  const tasks = { running: 1, queued: 0 };
  const port = await fakeHealth(t, tasks);
  const child = execa(process.execPath, [install.entryPoint, 'update', '--wait'], { env: { ...env, AIRUT_DASHBOARD_PORT: port }, extendEnv: false, reject: false });
  t.teardown(() => { child.kill('SIGKILL'); });
  await waitForLine(child, /^Tasks in flight: 1 running, 0 queued\. Waiting for them to finish\.\.\.$/);
  t.same(await readCalls(log), [], 'nothing done while the task runs');
  tasks.running = 0;
  const result = await child;
  t.equal(result.exitCode, 0, String(result.stderr));
  t.match(String(result.stdout), /All tasks finished\.\nairut \S+ is already up to date\./);
});

t.test('against a running airut serve: already up to date leaves the service alone', async (t) => {
  const { env, log, install } = await setup(t, { FAKE_NPM_LATEST: VERSION });
  const port = await startServe(t, env);
  const result = await installedAirut(install.entryPoint, ['update'], { ...env, AIRUT_DASHBOARD_PORT: port });
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(result.stdout, `No tasks in flight at http://127.0.0.1:${port}.\nairut ${VERSION} is already up to date.`, 'asked the real service');
  t.same((await readCalls(log)).map((call) => [call.bin, ...call.args].join(' ')), [
    'npm root --global',
    'npm view airut version',
  ]);
});

t.test('a failing check of the new version puts the old one back and restarts the service', async (t) => {
  const { env, log, install, home } = await setup(t, { FAKE_SYSTEMCTL_STATE: 'active', FAKE_NPM_BROKEN_VERSION: '9.9.9' });
  const unitDir = join(home, '.config', 'systemd', 'user');
  await mkdir(unitDir, { recursive: true });
  await writeFile(join(unitDir, 'airut.service'), '[Service]\n');
  const entryBefore = await readFile(install.entryPoint, 'utf8');
  const port = await startServe(t, env);

  const result = await installedAirut(install.entryPoint, ['update', '--version', '9.9.9'], { ...env, AIRUT_DASHBOARD_PORT: port });
  t.equal(result.exitCode, 1);
  t.match(result.stdout, `No tasks in flight at http://127.0.0.1:${port}.`);
  t.match(result.stdout, /Stopped airut\.service\.\nInstalling airut 9\.9\.9 \(npm\)\.\.\.\nRunning airut check with the new version\.\.\.\nThe check of 9\.9\.9 failed; putting \S+ back\.\.\.\nStarted airut\.service\./);
  t.match(result.stderr, `The check of 9.9.9 failed:\n  Configuration: broken in 9.9.9 (fake)\nRolled back to ${VERSION} and restarted the service on it.`);
  t.same((await readCalls(log)).map((call) => [call.bin, ...call.args].join(' ')), [
    'npm root --global',
    'systemctl --user is-active airut.service',
    'systemctl --user stop airut.service',
    'npm install --global airut@9.9.9',
    `npm install --global airut@${VERSION}`,
    'systemctl --user start airut.service',
  ]);
  const pkg = JSON.parse(await readFile(join(install.packageDir, 'package.json'), 'utf8')) as { version: string };
  t.equal(pkg.version, VERSION, 'the previous version is installed again');
  t.equal(await readFile(install.entryPoint, 'utf8'), entryBefore, 'with its own entry point');
});

t.test('a git checkout is refused with the command to use', async (t) => {
  const { env, log } = await setup(t);
  const result = await airut(['update', '--force'], env);
  t.equal(result.exitCode, 1);
  t.match(result.stdout, /Not asking the service about running tasks \(--force\)\./);
  t.match(result.stderr, /runs from a git checkout/);
  t.match(result.stderr, `git -C ${join(BIN, '..', '..')} pull`);
  t.same((await readCalls(log)).map((call) => call.bin), ['npm'], 'only `npm root --global` was asked');
});
