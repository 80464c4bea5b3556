import { join } from 'node:path';
import t from 'tap';
import { checkConfig } from '../../../src/core/doctor/config-section.js';

t.test('airut check lists each schedule with its next three fire times on its zone clock', async (t) => {
  const dir = t.testdir({
    'airut.yaml': [
      'repos:',
      '  web:',
      '    repo_url: https://example.com/web.git',
      '    slack: {bot_token: xoxb-1, app_token: xapp-1, authorized: [{workspace_members: true}]}',
      '    schedules:',
      '      weekdays: {cron: "0 9 * * 1-5", timezone: America/New_York, prompt: p, deliver: {to: C1, channel: slack}}',
      '      local: {cron: "*/15 * * * *", prompt: p, deliver: {to: C1, channel: slack}}',
      '      off: {cron: "0 0 29 2 *", enable: false, prompt: p, deliver: {to: C1, channel: slack}}',
      '      leap: {cron: "0 0 29 2 *", timezone: UTC, prompt: p, deliver: {to: C1, channel: slack}}',
      '',
    ].join('\n'),
  });
  // Friday 2026-03-06 15:00 UTC; New York switches to summer time on Sunday the 8th.
  const check = await checkConfig({ path: join(dir, 'airut.yaml'), env: { TZ: 'Europe/Helsinki' }, now: () => new Date('2026-03-06T15:00:00Z') });
  const lines = Object.fromEntries(check.section.checks.map((c) => [c.name, c.detail]));
  t.equal(lines['Schedule web/weekdays'], '"0 9 * * 1-5" in America/New_York: next 2026-03-09 09:00, 2026-03-10 09:00, 2026-03-11 09:00');
  t.equal(lines['Schedule web/local'], '"*/15 * * * *" in Europe/Helsinki (the server\'s zone): next 2026-03-06 17:15, 2026-03-06 17:30, 2026-03-06 17:45');
  t.equal(lines['Schedule web/off'], '"0 0 29 2 *" in Europe/Helsinki (the server\'s zone): disabled');
  t.equal(lines['Schedule web/leap'], '"0 0 29 2 *" in UTC: next 2028-02-29 00:00, 2032-02-29 00:00, 2036-02-29 00:00');
  t.ok(check.section.checks.every((c) => c.ok));
});
