import { access } from 'node:fs/promises';
import t from 'tap';
import { installService, runProcess } from '../../../src/core/installation/index.js';
import { tempHome } from '../../harness/cli.js';
import { fakePath, readCalls } from '../../harness/fake-bin/index.js';

t.test('--system needs root, and nothing is run or written without it', async (t) => {
  const { home, cleanup } = await tempHome();
  t.teardown(cleanup);
  const log = `${home}/calls.jsonl`;
  await t.rejects(installService({
    scope: 'system',
    uid: 1000,
    user: 'ops',
    nodePath: process.execPath,
    entryPoint: '/opt/airut/bin/run.js',
    configFile: undefined,
    shutdownTimeoutSeconds: 60,
    containerCommand: 'podman',
    runner: runProcess,
    env: { PATH: fakePath(), FAKE_BIN_LOG: log },
    home,
    systemDir: home,
  }), { code: 'SERVICE_SYSTEM_NEEDS_ROOT', exitCode: 1 });
  t.same(await readCalls(log), []);
  await t.rejects(access(`${home}/airut.service`), { code: 'ENOENT' });
});

t.test('a system unit as root: no linger check, systemctl without --user', async (t) => {
  const { home, cleanup } = await tempHome();
  t.teardown(cleanup);
  const log = `${home}/calls.jsonl`;
  const result = await installService({
    scope: 'system',
    uid: 0,
    user: undefined,
    nodePath: process.execPath,
    entryPoint: '/opt/airut/bin/run.js',
    configFile: '/etc/airut/airut.yaml',
    shutdownTimeoutSeconds: 60,
    containerCommand: '/nonexistent/podman',
    runner: runProcess,
    env: { PATH: fakePath(), FAKE_BIN_LOG: log },
    home,
    systemDir: home,
  });
  t.same(result, { scope: 'system', unitPath: `${home}/airut.service`, unit: 'created', missingTools: ['/nonexistent/podman'] });
  t.same((await readCalls(log)).map((call) => [call.bin, ...call.args].join(' ')), [
    'systemctl daemon-reload',
    'systemctl enable airut.service',
    'systemctl start airut.service',
  ]);
});
