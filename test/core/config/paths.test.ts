import t from 'tap';
import { configPaths, resolveConfigPath } from '../../../src/core/config/index.js';

void t.test('XDG defaults under the home directory', (t) => {
  t.strictSame(configPaths({}, '/home/ann'), {
    configFile: '/home/ann/.config/airut/airut.yaml',
    configDir: '/home/ann/.config/airut',
    stateDir: '/home/ann/.local/state/airut',
    cacheDir: '/home/ann/.cache/airut',
    dataDir: '/home/ann/.local/share/airut',
  });
  t.end();
});

void t.test('XDG variables win when set to an absolute path', (t) => {
  const env = { XDG_CONFIG_HOME: '/cfg', XDG_STATE_HOME: '/state', XDG_CACHE_HOME: '/cache', XDG_DATA_HOME: '/data' };
  t.strictSame(configPaths(env, '/home/ann'), {
    configFile: '/cfg/airut/airut.yaml',
    configDir: '/cfg/airut',
    stateDir: '/state/airut',
    cacheDir: '/cache/airut',
    dataDir: '/data/airut',
  });
  t.end();
});

void t.test('empty, blank and relative XDG values are ignored', (t) => {
  const paths = configPaths({ XDG_CONFIG_HOME: '', XDG_STATE_HOME: '   ', XDG_CACHE_HOME: 'relative/dir' }, '/home/ann');
  t.equal(paths.configDir, '/home/ann/.config/airut');
  t.equal(paths.stateDir, '/home/ann/.local/state/airut');
  t.equal(paths.cacheDir, '/home/ann/.cache/airut');
  t.end();
});

void t.test('--config beats AIRUT_CONFIG beats the XDG default', (t) => {
  const env = { AIRUT_CONFIG: '/etc/airut/env.yaml', XDG_CONFIG_HOME: '/cfg' };
  t.equal(resolveConfigPath({ flag: '/srv/flag.yaml', env, home: '/home/ann' }), '/srv/flag.yaml');
  t.equal(resolveConfigPath({ env, home: '/home/ann' }), '/etc/airut/env.yaml');
  t.equal(resolveConfigPath({ env: { XDG_CONFIG_HOME: '/cfg' }, home: '/home/ann' }), '/cfg/airut/airut.yaml');
  t.equal(resolveConfigPath({ env: {}, home: '/home/ann' }), '/home/ann/.config/airut/airut.yaml');
  t.end();
});

void t.test('relative paths resolve against the working directory; empty values count as unset', (t) => {
  t.equal(resolveConfigPath({ flag: 'conf/a.yaml', env: {}, cwd: '/work' }), '/work/conf/a.yaml');
  t.equal(resolveConfigPath({ env: { AIRUT_CONFIG: 'b.yaml' }, cwd: '/work' }), '/work/b.yaml');
  t.equal(resolveConfigPath({ flag: '', env: { AIRUT_CONFIG: ' ' }, home: '/h' }), '/h/.config/airut/airut.yaml');
  t.end();
});
