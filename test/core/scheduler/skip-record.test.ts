import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { ScheduleConfig } from '../../../src/core/config/index.js';
import { scheduleView } from '../../../src/core/gateway/schedule-view.js';
import { Logger } from '../../../src/core/log/index.js';
import { Scheduler, ScheduleState, type FireResult } from '../../../src/core/scheduler/index.js';

const QUARTERLY: ScheduleConfig = { cron: '*/15 * * * *', enable: true, timezone: 'UTC', prompt: 'Check.', deliver: { to: 'ada@example.com', channel: 'email' }, output_limit: 1024, missed: 'skip' };

t.test('a fire skipped by the overlap guard is counted in the schedule record and shown on the repo page', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-skip-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'schedules.json');
  let now = new Date('2026-06-01T10:14:00Z');
  let finish: (result: FireResult) => void = () => undefined;
  let started = 0;
  const scheduler = new Scheduler({
    repoId: 'repo', schedules: { often: QUARTERLY }, defaultZone: 'UTC', state: await ScheduleState.open(path),
    logger: new Logger(() => undefined), clock: () => now, maxSleepMs: 10,
    run: () => { started += 1; return new Promise((resolve) => { finish = resolve; }); },
  });
  t.teardown(() => { scheduler.stop(); });
  await scheduler.start();
  now = new Date('2026-06-01T10:15:01Z');
  while (started === 0) await new Promise((r) => setTimeout(r, 5));
  now = new Date('2026-06-01T10:30:01Z');
  while (scheduler.list()[0]?.skipped === undefined) await new Promise((r) => setTimeout(r, 5));
  now = new Date('2026-06-01T10:45:01Z');
  type OnDisk = Record<string, { skipped?: { count: number }; lastFire?: string }>;
  let onDisk: OnDisk = {};
  while (onDisk.often?.skipped?.count !== 2) {
    await new Promise((r) => setTimeout(r, 5));
    onDisk = JSON.parse(await readFile(path, 'utf8')) as OnDisk;
  }
  t.equal(started, 1, 'the skipped fires ran nothing');
  t.same(onDisk.often?.skipped, { count: 2, lastFireAt: '2026-06-01T10:45:00.000Z' }, 'written to schedules.json');
  t.equal(onDisk.often?.lastFire, '2026-06-01T10:15:00.000Z', 'a skip is not a fire');
  t.equal(scheduleView(scheduler.list()[0]!).lastOutcome, '2 fires skipped while the previous run was still going (last 2026-06-01 10:45 UTC)');

  finish({ outcome: 'delivered' });
  await scheduler.idle();
  const view = scheduleView(scheduler.list()[0]!);
  t.equal(view.lastOutcome, 'delivered; 2 fires skipped while the previous run was still going (last 2026-06-01 10:45 UTC)', 'the run\'s own outcome comes first');
});
