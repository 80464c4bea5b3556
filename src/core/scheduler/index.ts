/**
 * Scheduled tasks: cron expressions read in an IANA zone, a timer per repo
 * with an overlap guard and optional catch-up of missed fires, and the
 * record of each schedule's last fire and run.
 */
export { nextFire, nextFires, wallClock } from './next-fire.js';
export { serverZone, isKnownZone, type ZoneSources } from './server-zone.js';
export { fileClock } from './file-clock.js';
export { ScheduleState, type ScheduleOutcome, type ScheduleRecord } from './schedule-state.js';
export { Scheduler, type FireResult, type ScheduledFire, type ScheduleView, type SchedulerOptions, type SchedulerTimers } from './scheduler.js';
export { describeSchedule, formatWallTime } from './schedule-summary.js';
export { splitCommand, triggerPrompt, truncateUtf8, formatSize, TriggerCommandError, type TriggerResult } from './trigger-script.js';
