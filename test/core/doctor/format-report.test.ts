import t from 'tap';
import { formatReport } from '../../../src/core/doctor/format-report.js';
import { buildReport, failed, passed } from '../../../src/core/doctor/report.js';

const report = buildReport([
  { name: 'Configuration', checks: [passed('Config file', 'critical', '/etc/airut.yaml: valid, no repos configured')] },
  {
    name: 'Container runtime',
    checks: [
      failed('Container start', 'critical', 'podman cannot start containers', 'Save this:\n  [engine]\n  runtime = "runc"'),
      failed('Resource limits', 'warning', 'cgroup v1: rootless podman ignores limits', 'Boot with cgroup v2.'),
    ],
  },
  { name: 'Service', checks: [passed('airut.service', 'info', 'not installed', 'Run `airut install-service`.'), failed('Newest release', 'info', 'unknown', null)] },
]);

void t.test('only critical failures make the report fail', (t) => {
  t.equal(report.ok, false);
  t.equal(buildReport([{ name: 'x', checks: [failed('a', 'warning', 'w', null), failed('b', 'info', 'i', null)] }]).ok, true);
  t.end();
});

void t.test('plain text has one marked line per check, fixes below failures, and a verdict', (t) => {
  const text = formatReport(report, { color: false });
  t.equal(text, [
    'Configuration',
    '  ✓ Config file: /etc/airut.yaml: valid, no repos configured',
    '',
    'Container runtime',
    '  ✗ Container start: podman cannot start containers',
    '    → Save this:',
    '        [engine]',
    '        runtime = "runc"',
    '  ! Resource limits: cgroup v1: rootless podman ignores limits',
    '    → Boot with cgroup v2.',
    '',
    'Service',
    '  ✓ airut.service: not installed',
    '    → Run `airut install-service`.',
    '  - Newest release: unknown',
    '',
    '1 critical check failed: Container start.',
    '',
  ].join('\n'));
  t.notOk(text.includes('\u001b['), 'no ANSI escapes');
  t.end();
});

void t.test('colour is ANSI only when asked for', (t) => {
  t.ok(formatReport(report, { color: true }).includes('\u001b[31m✗\u001b[0m'), 'a red cross');
  t.end();
});
