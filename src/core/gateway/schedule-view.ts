import type { ScheduleView as DashboardScheduleView } from '../dashboard/index.js';
import { formatWallTime, type ScheduleView } from '../scheduler/index.js';

/**
 * A schedule as the repo page lists it: its cron and zone (and the next fire
 * on that zone's clock), the next fire as an instant, how the last run ended.
 */
export function scheduleView(schedule: ScheduleView): DashboardScheduleView {
  const next = schedule.nextFire;
  const where = `${schedule.cron} in ${schedule.zone}`;
  const lastRun = schedule.lastRun;
  const ran = lastRun === undefined ? undefined : `${lastRun.outcome}${lastRun.error === undefined ? '' : `: ${lastRun.error}`}`;
  const skipped = schedule.skipped === undefined ? undefined
    : `${schedule.skipped.count} ${schedule.skipped.count === 1 ? 'fire' : 'fires'} skipped while the previous run was still going (last ${formatWallTime(new Date(schedule.skipped.lastFireAt), schedule.zone)} ${schedule.zone})`;
  const outcome = ran === undefined ? skipped : skipped === undefined ? ran : `${ran}; ${skipped}`;
  return {
    name: schedule.name,
    schedule: !schedule.enabled ? `${where} (disabled)` : next === undefined ? where : `${where}; next ${formatWallTime(next, schedule.zone)} ${schedule.zone}${schedule.running ? '; running now' : ''}`,
    ...(next === undefined ? {} : { nextRunAt: next.toISOString() }),
    ...(lastRun === undefined ? {} : { lastRunAt: lastRun.finishedAt }),
    ...(outcome === undefined ? {} : { lastOutcome: outcome }),
  };
}
