import { join } from 'node:path';
import t from 'tap';
import { checkSchemaVersion } from '../../../src/core/doctor/schema-line.js';

t.test('the schema line: the declared layout against the one this version knows; no line without a YAML file', async (t) => {
  const dir = t.testdir({
    'none.yaml': 'repos: {}\n',
    'one.yaml': 'config_version: 1\nvars:\n  x: !env HOME\n',
    'older.yaml': 'config_version: 0\n',
    'newer.yaml': 'config_version: 7\n',
    'broken.yaml': 'repos: [\n',
  });
  t.match(await checkSchemaVersion(join(dir, 'none.yaml')), { name: 'Schema', ok: true, severity: 'info', detail: 'up to date (v1)' }, 'left out means the current layout');
  t.match(await checkSchemaVersion(join(dir, 'one.yaml')), { ok: true, detail: 'up to date (v1)' }, 'custom tags are fine');
  t.match(await checkSchemaVersion(join(dir, 'older.yaml')), { ok: false, severity: 'info', detail: 'migration pending (v0 → v1)', fix: /config editor/ });
  t.match(await checkSchemaVersion(join(dir, 'newer.yaml')), { ok: false, severity: 'info', detail: /config_version 7 .* is not a layout this version knows \(v1\)/, fix: /airut update/ });
  t.equal(await checkSchemaVersion(join(dir, 'broken.yaml')), undefined, 'not YAML: no line');
  t.equal(await checkSchemaVersion(join(dir, 'missing.yaml')), undefined, 'no file: no line');
});
