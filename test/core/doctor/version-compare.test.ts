import t from 'tap';
import { compareVersions, parseVersion } from '../../../src/core/doctor/version-compare.js';

void t.test('parses the version out of tools\' --version output', (t) => {
  t.equal(parseVersion('podman version 4.3.1'), '4.3.1');
  t.equal(parseVersion('Docker version 24.0.5, build ced0996'), '24.0.5');
  t.equal(parseVersion('git version 2.39.5'), '2.39.5');
  t.equal(parseVersion('git version 2.25.0.windows.1'), '2.25.0');
  t.equal(parseVersion('tool 1.2.3-rc1'), '1.2.3');
  t.equal(parseVersion('no digits here'), null);
  t.end();
});

void t.test('compares dotted versions numerically', (t) => {
  t.equal(compareVersions('4.3.1', '4.0'), 1);
  t.equal(compareVersions('4.0', '4.0.0'), 0);
  t.equal(compareVersions('3.4.4', '4.0'), -1);
  t.equal(compareVersions('2.100', '2.25'), 1);
  t.end();
});
