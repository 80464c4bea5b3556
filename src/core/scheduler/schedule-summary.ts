import { parseCron } from '../config/cron-expression.js';
import type { ScheduleConfig } from '../config/index.js';
import { nextFires, wallClock } from './next-fire.js';

/** `2026-06-01 07:00` on the clock of `zone`. */
export function formatWallTime(instant: Date, zone: string): string {
  const w = wallClock(instant, zone);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)}`;
}

/**
 * One line about a schedule for `airut check`: its cron and zone, and its
 * next `count` fire times on the zone's clock (or that it is disabled).
 */
export function describeSchedule(schedule: ScheduleConfig, defaultZone: string, now: Date, count = 3): string {
  const zone = schedule.timezone ?? defaultZone;
  const head = `"${schedule.cron}" in ${zone}${schedule.timezone === undefined ? ' (the server\'s zone)' : ''}`;
  if (!schedule.enable) return `${head}: disabled`;
  const fires = nextFires(parseCron(schedule.cron), zone, now, count);
  if (fires.length === 0) return `${head}: never fires`;
  return `${head}: next ${fires.map((d) => formatWallTime(d, zone)).join(', ')}`;
}
