import { join } from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../../src/core/config/index.js';
import { cronProblem, parseCron } from '../../../src/core/config/cron-expression.js';
import { nextFires } from '../../../src/core/scheduler/next-fire.js';

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());
const fires = (cron: string, zone: string, after: string, count: number): string[] => iso(nextFires(parseCron(cron), zone, new Date(after), count));

t.test('fire tables', async (t) => {
  const table: [string, string, string, number, string[], string][] = [
    ['*/15 * * * *', 'UTC', '2026-05-01T10:07:00Z', 4, ['2026-05-01T10:15:00.000Z', '2026-05-01T10:30:00.000Z', '2026-05-01T10:45:00.000Z', '2026-05-01T11:00:00.000Z'], '*/15'],
    ['0 9 * * *', 'UTC', '2026-05-01T09:00:00Z', 1, ['2026-05-02T09:00:00.000Z'], 'strictly after now'],
    ['0 9 * * *', 'UTC', '2026-05-01T09:00:30Z', 1, ['2026-05-02T09:00:00.000Z'], 'seconds past the minute count as past'],
    ['0 10-16/3 * * *', 'UTC', '2026-05-01T00:00:00Z', 3, ['2026-05-01T10:00:00.000Z', '2026-05-01T13:00:00.000Z', '2026-05-01T16:00:00.000Z'], 'range with step'],
    ['50/5 * * * *', 'UTC', '2026-05-01T00:00:00Z', 3, ['2026-05-01T00:50:00.000Z', '2026-05-01T00:55:00.000Z', '2026-05-01T01:50:00.000Z'], 'N/S runs N to the end'],
    ['0 0 29 2 *', 'UTC', '2026-03-01T00:00:00Z', 2, ['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z'], 'Feb 29 found years ahead'],
    ['0 0 13 * 5', 'UTC', '2026-02-01T00:00:00Z', 4, ['2026-02-06T00:00:00.000Z', '2026-02-13T00:00:00.000Z', '2026-02-20T00:00:00.000Z', '2026-02-27T00:00:00.000Z'], 'OR rule: the 13th or a Friday'],
    ['0 0 1 * */1', 'UTC', '2026-02-01T00:00:00Z', 2, ['2026-02-02T00:00:00.000Z', '2026-02-03T00:00:00.000Z'], '*/1 counts as restricted: OR, so every day'],
    ['0 0 1 * *', 'UTC', '2026-02-01T00:00:00Z', 2, ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'], 'dow * : only day of month'],
    ['0 0 * * 1-5', 'UTC', '2026-05-01T00:00:00Z', 3, ['2026-05-04T00:00:00.000Z', '2026-05-05T00:00:00.000Z', '2026-05-06T00:00:00.000Z'], 'weekdays (May 1 2026 is a Friday)'],
    ['0 12 * * 7', 'UTC', '2026-05-01T00:00:00Z', 1, ['2026-05-03T12:00:00.000Z'], '7 is Sunday'],
    // Helsinki: 2026-03-29 03:00 EET jumps to 04:00 EEST.
    ['30 3 * * *', 'Europe/Helsinki', '2026-03-28T00:00:00Z', 2, ['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z'], 'Helsinki spring forward: 03:30 does not exist on Mar 29 and is skipped to the next day'],
    ['30 2 * * *', 'Europe/Helsinki', '2026-03-28T00:00:00Z', 3, ['2026-03-28T00:30:00.000Z', '2026-03-29T00:30:00.000Z', '2026-03-29T23:30:00.000Z'], 'Helsinki spring forward: 02:30 exists'],
    // Helsinki: 2026-10-25 04:00 EEST falls back to 03:00 EET; 03:xx happens twice.
    ['30 3 * * *', 'Europe/Helsinki', '2026-10-24T12:00:00Z', 2, ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'], 'Helsinki fall back: the repeated 03:30 fires once, at its first occurrence'],
    ['*/30 3 * * *', 'Europe/Helsinki', '2026-10-24T12:00:00Z', 3, ['2026-10-25T00:00:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:00:00.000Z'], 'Helsinki fall back: every repeated time once'],
    // New York: 2026-03-08 02:00 EST jumps to 03:00 EDT; 2026-11-01 02:00 EDT falls back to 01:00 EST.
    ['30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2, ['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z'], 'New York spring forward: 02:30 on Mar 8 does not exist and is skipped'],
    ['30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2, ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'], 'New York fall back: 01:30 once, in EDT'],
    ['0 9 * * 1-5', 'America/New_York', '2026-03-06T15:00:00Z', 2, ['2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z'], 'New York 09:00 after the switch is 13:00 UTC'],
  ];
  for (const [cron, zone, after, count, expected, why] of table) {
    t.same(fires(cron, zone, after, count), expected, `${cron} in ${zone} after ${after}: ${why}`);
  }
});

t.test('fall back with the last fire known: the second pass through the repeated hour does not fire again', async (t) => {
  const fields = parseCron('30 3 * * *');
  // 01:05 UTC is 03:05 EET, the second pass; 03:30 fired at 00:30 UTC.
  const next = nextFires(fields, 'Europe/Helsinki', new Date('2026-10-25T01:05:00Z'), 1, new Date('2026-10-25T00:30:00Z'));
  t.same(iso(next), ['2026-10-26T01:30:00.000Z']);
});

t.test('rejected expressions name the field and the valid form', async (t) => {
  const table: [string, RegExp][] = [
    ['0 9 * *', /must have 5 fields.*got 4/],
    ['0 0 9 * * *', /must have 5 fields.*got 6/],
    ['', /got 0/],
    ['60 * * * *', /minute field "60": values must be between 0 and 59/],
    ['0 24 * * *', /hour field "24"/],
    ['0 0 0 * *', /day of month field "0"/],
    ['0 0 32 * *', /day of month field "32"/],
    ['0 0 * 13 *', /month field "13"/],
    ['0 0 * 0 *', /month field "0"/],
    ['0 0 * * 8', /day of week field "8"/],
    ['0 0 * * 5-7', /day-of-week range cannot end at 7.*5-6,0/],
    ['0 0 * * 0-7', /day-of-week range cannot end at 7.*write it as \*/],
    ['0 0 * * MON', /day of week field "MON": expected/],
    ['0 0 * JAN *', /month field "JAN"/],
    ['*/0 * * * *', /step must be at least 1/],
    ['10-5 * * * *', /range start 10 is after its end 5/],
    ['0 0 L * *', /day of month field "L"/],
    ['0 0 ? * *', /day of month field "\?"/],
    ['0 0 * * 1#2', /day of week field "1#2"/],
    ['1,,2 * * * *', /minute field "1,,2"/],
    ['-1 * * * *', /minute field "-1"/],
    ['@daily', /got 1/],
  ];
  for (const [cron, message] of table) {
    t.throws(() => parseCron(cron), { name: 'CronSyntaxError', message }, cron);
    t.match(cronProblem(cron), message, `${cron} through the config check`);
  }
});

t.test('a bad cron in airut.yaml is reported at its key with the line', async (t) => {
  const dir = t.testdir({
    'airut.yaml': [
      'repos:',
      '  x:',
      '    repo_url: https://example.com/x.git',
      '    slack: {bot_token: xoxb-1, app_token: xapp-1, authorized: [{workspace_members: true}]}',
      '    schedules:',
      '      weekend: {cron: "0 9 * * 5-7", prompt: p, deliver: {to: C1, channel: slack}}',
      '      later: {cron: "0 9 * * 1", prompt: p, missed: sometimes, deliver: {to: C1, channel: slack}}',
      '',
    ].join('\n'),
  });
  const error = await loadConfig({ path: join(dir, 'airut.yaml'), env: {} }).then(() => undefined, (e: unknown) => e);
  t.ok(error instanceof ConfigError, 'the load fails with a ConfigError');
  const problems = (error as ConfigError).problems.map((p) => `${p.keyPath}: ${p.message}`);
  t.match(problems.join('\n'), /repos\.x\.schedules\.weekend\.cron: invalid cron expression "0 9 \* \* 5-7": day of week field "5-7": a day-of-week range cannot end at 7/);
  t.match(problems.join('\n'), /repos\.x\.schedules\.later\.missed: .*skip.*run_once/);
  t.match(String((error as ConfigError).message), /airut\.yaml/);
});
