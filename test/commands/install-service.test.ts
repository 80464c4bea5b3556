import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { airut, BIN, tempHome } from '../harness/cli.js';
import { fakePath, readCalls } from '../harness/fake-bin/index.js';

/** A temp HOME, the fake tools first on PATH, and where their calls are recorded. */
async function setup(t: Test, extra: Record<string, string> = {}) {
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const log = join(home, 'calls.jsonl');
  return {
    home,
    log,
    unit: join(home, '.config', 'systemd', 'user', 'airut.service'),
    env: { ...env, PATH: fakePath(), USER: 'ops', FAKE_BIN_LOG: log, ...extra },
  };
}

t.test('without lingering: names the enable-linger command, exits 1, writes nothing', async (t) => {
  const { env, log, unit } = await setup(t);
  const result = await airut(['install-service'], env);
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /lingering is not enabled for user 'ops'/);
  t.match(result.stderr, /loginctl enable-linger ops/);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
  t.same(await readCalls(log), [{ bin: 'loginctl', args: ['show-user', 'ops', '--property=Linger', '--value'] }]);
  await t.rejects(readFile(unit), { code: 'ENOENT' });
});

t.test('install, reinstall unchanged, reinstall changed, uninstall', async (t) => {
  const { env, log, unit, home } = await setup(t, { FAKE_LINGER: 'yes', CONTAINERS_CONF: '/etc/airut/containers.conf' });

  const first = await airut(['install-service'], env);
  t.equal(first.exitCode, 0, first.stderr);
  t.match(first.stdout, `Wrote unit ${unit}.`);
  t.match(first.stdout, /Reloaded systemd\.\nEnabled airut\.service\.\nStarted airut\.service\./);
  const text = await readFile(unit, 'utf8');
  t.match(text, `ExecStart=${process.execPath} ${BIN} serve\n`, 'absolute node and entry point');
  t.match(text, /^Restart=on-failure$/m);
  t.match(text, /^TimeoutStopSec=90$/m, 'default shutdown_timeout 60 plus margin');
  t.match(text, /^Environment="CONTAINERS_CONF=\/etc\/airut\/containers\.conf"$/m);
  t.match(text, `Environment="XDG_CONFIG_HOME=${home}/.config"`);
  t.match(text, /^WantedBy=default\.target$/m);
  t.same((await readCalls(log)).map((call) => [call.bin, ...call.args]), [
    ['loginctl', 'show-user', 'ops', '--property=Linger', '--value'],
    ['systemctl', '--user', 'daemon-reload'],
    ['systemctl', '--user', 'enable', 'airut.service'],
    ['systemctl', '--user', 'start', 'airut.service'],
  ]);

  await writeFile(log, '');
  const again = await airut(['install-service'], env);
  t.equal(again.exitCode, 0, again.stderr);
  t.match(again.stdout, `Unit ${unit} is already up to date.`);
  t.equal(await readFile(unit, 'utf8'), text, 'same bytes');
  t.same((await readCalls(log)).map((call) => call.args.join(' ')), [
    'show-user ops --property=Linger --value',
    '--user enable airut.service',
    '--user start airut.service',
  ], 'no reload, no restart');

  await mkdir(join(home, '.config', 'airut'), { recursive: true });
  await writeFile(join(home, '.config', 'airut', 'airut.yaml'), 'execution:\n  shutdown_timeout: 300\n');
  await writeFile(log, '');
  const changed = await airut(['install-service'], env);
  t.equal(changed.exitCode, 0, changed.stderr);
  t.match(changed.stdout, `Updated unit ${unit}.`);
  t.match(await readFile(unit, 'utf8'), /^TimeoutStopSec=330$/m);
  t.same((await readCalls(log)).map((call) => call.args.join(' ')).slice(1), [
    '--user daemon-reload',
    '--user enable airut.service',
    '--user restart airut.service',
  ], 'a changed unit is reloaded and restarted in place');

  await writeFile(log, '');
  const removed = await airut(['uninstall-service'], env);
  t.equal(removed.exitCode, 0, removed.stderr);
  t.match(removed.stdout, /Stopped airut\.service\.\nDisabled airut\.service\.\nRemoved .*airut\.service\.\nReloaded systemd\./);
  await t.rejects(readFile(unit), { code: 'ENOENT' });
  t.same((await readCalls(log)).map((call) => call.args.join(' ')), [
    '--user stop airut.service',
    '--user disable airut.service',
    '--user daemon-reload',
  ]);

  await writeFile(log, '');
  const nothing = await airut(['uninstall-service'], env);
  t.equal(nothing.exitCode, 0);
  t.match(nothing.stdout, /nothing to remove/);
  t.same(await readCalls(log), [], 'no systemctl call without a unit');
});

t.test('a failing daemon-reload is an error naming the command', async (t) => {
  const { env } = await setup(t, { FAKE_LINGER: 'yes', FAKE_SYSTEMCTL_FAIL: 'daemon-reload' });
  const result = await airut(['install-service'], env);
  t.equal(result.exitCode, 1);
  t.match(result.stderr, /`systemctl --user daemon-reload` failed: Failed to daemon-reload/);
});
