import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { checkGit } from '../../../src/core/doctor/git-section.js';
import { runProcess } from '../../../src/core/process/run-process.js';
import { SERVICE_UNIT_PATH, checkService } from '../../../src/core/doctor/service-section.js';
import { fakeTool, fakeTools } from './fake-tools.js';

void t.test('git', async (t) => {
  const cases: [string, string, object][] = [
    ['2.39.5 passes', 'git version 2.39.5', { ok: true, detail: '2.39.5 (>= 2.25)' }],
    ['exactly 2.25 passes', 'git version 2.25', { ok: true }],
    ['2.24 is too old', 'git version 2.24.1', { ok: false, severity: 'critical', detail: '2.24.1 is too old (need >= 2.25)', fix: /apt-get install -y git/ }],
    ['unparsable output fails', 'git from outer space', { ok: false, detail: /gave no version.*git from outer space/ }],
  ];
  for (const [name, output, expected] of cases) {
    const tools = fakeTools({ git: fakeTool(output) });
    t.teardown(() => tools.cleanup());
    const section = await checkGit({ runner: runProcess, env: { PATH: tools.path } });
    t.match(section.checks[0], expected, name);
  }
  const empty = fakeTools();
  t.teardown(() => empty.cleanup());
  t.match((await checkGit({ runner: runProcess, env: { PATH: empty.path } })).checks[0], { ok: false, detail: 'git not found on PATH' });
});

void t.test('service', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'airut-home-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const none = fakeTools();
  t.teardown(() => none.cleanup());
  const absent = await checkService({ runner: runProcess, env: { PATH: none.path }, home });
  t.match(absent.checks[0], { ok: true, severity: 'info', detail: /^not installed/, fix: /airut install-service/ });

  mkdirSync(join(home, '.config', 'systemd', 'user'), { recursive: true });
  writeFileSync(join(home, SERVICE_UNIT_PATH), '[Unit]\n');
  const noSystemctl = await checkService({ runner: runProcess, env: { PATH: none.path }, home });
  t.match(noSystemctl.checks[0], { ok: false, severity: 'info', detail: /systemctl not found/ });

  const active = fakeTools({ systemctl: fakeTool('active') });
  t.teardown(() => active.cleanup());
  t.match((await checkService({ runner: runProcess, env: { PATH: active.path }, home })).checks[0], { ok: true, detail: /installed and running/ });
  t.same(active.calls(), ['systemctl --user is-active airut.service']);

  const inactive = fakeTools({ systemctl: fakeTool('inactive', 3) });
  t.teardown(() => inactive.cleanup());
  t.match((await checkService({ runner: runProcess, env: { PATH: inactive.path }, home })).checks[0], {
    ok: false, severity: 'info', detail: 'installed but not running (inactive)', fix: /systemctl --user start airut.service/,
  });
});
