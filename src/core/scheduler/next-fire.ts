import { Cron } from 'croner';
import type { CronFields } from '../config/cron-expression.js';

/** Wall-clock parts of an instant in a zone. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Reads `instant` on a clock of `zone`. */
export function wallClock(instant: Date, zone: string): WallClock {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), weekday: WEEKDAYS[parts.weekday ?? ''] ?? -1,
  };
}

/** A wall-clock minute as one sortable number. */
function wallKey(w: WallClock): number {
  return ((((w.year * 100 + w.month) * 100 + w.day) * 100 + w.hour) * 100) + w.minute;
}

function matches(fields: CronFields, w: WallClock): boolean {
  if (!fields.minutes.has(w.minute) || !fields.hours.has(w.hour) || !fields.months.has(w.month)) return false;
  const dom = fields.daysOfMonth.has(w.day);
  const dow = fields.daysOfWeek.has(w.weekday);
  return fields.dayOr ? dom || dow : dom && dow;
}

/** The fields as an explicit croner pattern; a day field written `*` stays `*`, which is what keeps croner's OR rule in line with {@link CronFields.dayOr}. */
function cronerPattern(fields: CronFields): string {
  const list = (set: ReadonlySet<number>): string => [...set].sort((a, b) => a - b).join(',');
  const dom = fields.dayOr || fields.daysOfMonth.size !== 31 ? list(fields.daysOfMonth) : '*';
  const dow = fields.dayOr || fields.daysOfWeek.size !== 7 ? list(fields.daysOfWeek) : '*';
  return `${list(fields.minutes)} ${list(fields.hours)} ${dom} ${list(fields.months)} ${dow}`;
}

/** Four years and a day: long enough that `0 0 29 2 *` always finds its next leap day. */
const SEARCH_LIMIT_MS = (4 * 366 + 1) * 24 * 3600 * 1000;

/**
 * The fire times of `fields` in `zone` strictly after `after`, at most
 * `count`; the search gives up when no fire comes within four years of the
 * previous one.
 *
 * Semantics beyond croner's own: a local time that does not exist (inside a
 * DST spring-forward gap) does not fire that day; a local time that occurs
 * twice (DST fall-back) fires once, at its first occurrence. `lastFire`, when
 * given, is the previous fire: no time whose wall clock is not after its wall
 * clock fires (the second pass through a repeated hour).
 */
export function nextFires(fields: CronFields, zone: string, after: Date, count: number, lastFire?: Date): Date[] {
  const cron = new Cron(cronerPattern(fields), { timezone: zone, mode: '5-part', paused: true, domAndDow: !fields.dayOr });
  const found: Date[] = [];
  let floor = lastFire === undefined ? -1 : wallKey(wallClock(lastFire, zone));
  let cursor = after;
  let limit = after.getTime() + SEARCH_LIMIT_MS;
  while (found.length < count) {
    const candidate = cron.nextRun(cursor);
    if (candidate === null || candidate.getTime() > limit) break;
    cursor = candidate;
    const wall = wallClock(candidate, zone);
    // croner moves a time in a DST gap to just after the gap; its wall clock then no longer matches and it is skipped.
    if (!matches(fields, wall)) continue;
    const key = wallKey(wall);
    if (key <= floor) continue;
    floor = key;
    found.push(candidate);
    limit = candidate.getTime() + SEARCH_LIMIT_MS;
  }
  return found;
}

/** The next fire time strictly after `after`, or undefined when none comes within four years. */
export function nextFire(fields: CronFields, zone: string, after: Date, lastFire?: Date): Date | undefined {
  return nextFires(fields, zone, after, 1, lastFire)[0];
}
