import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { planUnit, renderUnit, STOP_TIMEOUT_MARGIN_SECONDS, type UnitPlanInput } from '../../../src/core/installation/index.js';

const input: UnitPlanInput = {
  scope: 'user',
  nodePath: '/opt/node-20/bin/node',
  entryPoint: '/usr/local/lib/node_modules/airut/bin/run.js',
  configFile: undefined,
  shutdownTimeoutSeconds: 60,
  tools: { containerRuntime: '/usr/bin/podman', git: '/usr/local/bin/git' },
  env: { CONTAINERS_CONF: '/etc/airut/containers.conf', XDG_STATE_HOME: '', HOME: '/home/ops', AIRUT_CONFIG: '/srv/airut/airut.yaml' },
};

t.test('the user unit, byte for byte', async (t) => {
  const expected = await readFile(join(import.meta.dirname, 'fixtures', 'airut.user.service'), 'utf8');
  t.equal(renderUnit(planUnit(input)), expected);
});

t.test('the system unit with --config', async (t) => {
  const expected = await readFile(join(import.meta.dirname, 'fixtures', 'airut.system.service'), 'utf8');
  t.equal(renderUnit(planUnit({ ...input, scope: 'system', configFile: '/etc/airut/airut.yaml', env: {} })), expected);
});

t.test('systemd gives the service longer to stop than the service gives its tasks', async (t) => {
  const spec = planUnit({ ...input, shutdownTimeoutSeconds: 600 });
  t.equal(spec.stopTimeoutSeconds, 600 + STOP_TIMEOUT_MARGIN_SECONDS);
  t.match(renderUnit(spec), /^TimeoutStopSec=630$/m);
});

t.test('PATH finds node, the container runtime and git, each directory once', async (t) => {
  const spec = planUnit({ ...input, tools: { containerRuntime: '/usr/bin/podman', git: '/usr/bin/git' } });
  t.equal(spec.environment.PATH, '/opt/node-20/bin:/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin');
});

t.test('paths with spaces, % and $ reach the process literally', async (t) => {
  const text = renderUnit(planUnit({ ...input, entryPoint: '/home/o p/100%/$HOME/run.js', env: { CONTAINERS_CONF: '/a b/%c "q"' } }));
  t.match(text, /^ExecStart=\/opt\/node-20\/bin\/node "\/home\/o p\/100%%\/\$\$HOME\/run\.js" serve$/m);
  t.match(text, /^Environment="CONTAINERS_CONF=\/a b\/%%c \\"q\\""$/m);
});
