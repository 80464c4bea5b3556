import t from 'tap';
import { compareVersions, nearbyVersions, validateVersionRequest } from '../../../../src/sandbox/claude/binary/version.js';

void t.test('accepts channels and exact semver, refuses everything else with a hint', (t) => {
  for (const ok of ['latest', 'stable', '2.1.332', '1.0.0-beta.1', '1.0.0+build.5']) t.equal(validateVersionRequest(ok), ok);
  for (const bad of ['', 'LATEST', '1.0', 'v1.0.0', '1.0.0/..', '../1.0.0', '1.0.0 ', '1.0.0-']) {
    t.throws(() => validateVersionRequest(bad, 'repos.x.claude_version'), {
      code: 'CLAUDE_BIN_INVALID_VERSION',
      message: `Invalid Claude Code version ${JSON.stringify(bad)} (from repos.x.claude_version)`,
      hint: /'latest', 'stable', or an exact version/,
    });
  }
  t.end();
});

void t.test('semver order, prereleases before releases', (t) => {
  const sorted = ['2.1.10', '2.1.9', '1.0.0', '2.1.10-rc.2', '2.1.10-rc.10', '2.1.10-alpha', '10.0.0'].sort(compareVersions);
  t.same(sorted, ['1.0.0', '2.1.9', '2.1.10-alpha', '2.1.10-rc.2', '2.1.10-rc.10', '2.1.10', '10.0.0']);
  t.end();
});

void t.test('nearby versions surround the wanted one and stay within the list', (t) => {
  const all = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5', '1.0.6'];
  t.same(nearbyVersions(all, '1.0.3', 3), ['1.0.2', '1.0.3', '1.0.4']);
  t.same(nearbyVersions(all, '0.1.0', 3), ['1.0.0', '1.0.1', '1.0.2']);
  t.same(nearbyVersions(all, '9.0.0', 3), ['1.0.4', '1.0.5', '1.0.6']);
  t.same(nearbyVersions(['1.0.0'], '2.0.0'), ['1.0.0']);
  t.end();
});
