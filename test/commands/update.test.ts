import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { airut, airutBackground, BIN, tempHome, waitForLine } from '../harness/cli.js';
import { fakeGlobalInstall, fakePath, readCalls } from '../harness/fake-bin/index.js';
import { ALICE, GATEWAY, startGatewayWorld } from '../e2e/gateway-world.js';

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

t.test('against a real airut serve with a task in flight: refused, changing nothing; --wait waits until the task ends, then updates', async (t) => {
  // The whole service: a mail starts a task (fake claude in a real container behind the network
  // sandbox) that only answers once this test releases it.
  const world = await startGatewayWorld(t, { scenario: 'until-released', dashboard: true });
  const [, dashboard] = await world.line(/dashboard listening url=(\S+)/) as [string, string];
  const port = new URL(dashboard).port;
  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'Hold on', text: 'Take your time.' });
  const [ack] = await world.provider.waitFor(ALICE.address, (mails) => mails.length >= 1, 120_000);
  const id = /\[ID:([0-9a-f]{8})\]/.exec(ack?.parsed.subject ?? '')?.[1] ?? '';
  const held = join(world.stateDir, 'conversations', id, 'claude', 'fake');
  await until(() => access(join(held, 'started')).then(() => true, () => false));
  await until(async () => (await health(dashboard)).running === 1);

  const { env, log, install } = await setup(t, { FAKE_NPM_LATEST: VERSION });
  const refused = await installedAirut(install.entryPoint, ['update'], { ...env, AIRUT_DASHBOARD_PORT: port });
  t.equal(refused.exitCode, 75, refused.stderr);
  t.match(refused.stderr, `cannot update while tasks are in flight: 1 running, 0 queued (http://127.0.0.1:${port})`);
  t.match(refused.stderr, /airut update --wait/);
  t.match(refused.stderr, /airut update --force/);
  t.same(await readCalls(log), [], 'neither npm nor systemctl ran');

  const waiting = execa(process.execPath, [install.entryPoint, 'update', '--wait'], { env: { ...env, AIRUT_DASHBOARD_PORT: port }, extendEnv: false, reject: false });
  t.teardown(() => { waiting.kill('SIGKILL'); });
  await waitForLine(waiting, /^Tasks in flight: 1 running, 0 queued\. Waiting for them to finish\.\.\.$/);
  t.same(await readCalls(log), [], 'nothing done while the task runs');
  await writeFile(join(held, 'release'), '');
  const updated = await waiting;
  t.equal(updated.exitCode, 0, String(updated.stderr));
  t.match(String(updated.stdout), /All tasks finished\.\nairut \S+ is already up to date\./);
  t.match(world.output(), /task finished .*reason=success/, 'the task ended before the update went on');
  t.same((await readCalls(log)).map((call) => [call.bin, ...call.args].join(' ')), [
    'npm root --global',
    'npm view airut version',
  ]);
  const [reply] = (await world.provider.waitFor(ALICE.address, (mails) => mails.length >= 2, 120_000)).slice(1);
  t.match(reply?.parsed.text, /Run 1 done\./, 'the task was answered, not interrupted');
});

/** The task counts the service reports. */
async function health(dashboard: string): Promise<{ running: number; queued: number }> {
  const body = await (await fetch(`${dashboard}/api/health`)).json() as { tasks: { running: number; queued: number } };
  return body.tasks;
}

/** Resolves once `check` holds; what it waits for happens in other processes. */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!await check()) {
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
