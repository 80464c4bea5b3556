import { join } from 'node:path';
import type { RepoConfig, ScheduleConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { Scheduler, ScheduleState, splitCommand, triggerPrompt, type FireResult, type ScheduledFire } from '../scheduler/index.js';
import type { RepoHandler } from './repo-handler.js';
import type { ScheduledTask } from './scheduled-run.js';

/** The clock and zone every repo's scheduler runs on. */
export interface SchedulerSettings {
  /** Zone of schedules without `timezone` (the server's). */
  defaultZone: string;
  /** Default: the system clock. */
  clock?: () => Date;
  /** Longest sleep between looks at the clock. Default 60 s. */
  maxSleepMs?: number;
}

/** The file that keeps each schedule's last fire and run, in the repo's state directory. */
export const SCHEDULE_STATE_FILE = 'schedules.json';

/** The scheduler of one repo: its `schedules:`, each fire run through the repo's handler. */
export async function repoScheduler(
  repoId: string,
  repo: RepoConfig,
  handler: RepoHandler,
  repoStateDir: string,
  settings: SchedulerSettings,
  logger: Logger,
): Promise<Scheduler> {
  return new Scheduler({
    repoId,
    schedules: repo.schedules,
    defaultZone: settings.defaultZone,
    state: await ScheduleState.open(join(repoStateDir, SCHEDULE_STATE_FILE)),
    logger,
    run: (fire) => runFire(handler, fire),
    ...(settings.clock === undefined ? {} : { clock: settings.clock }),
    ...(settings.maxSleepMs === undefined ? {} : { maxSleepMs: settings.maxSleepMs }),
  });
}

function runFire(handler: RepoHandler, fire: ScheduledFire): Promise<FireResult> {
  return handler.runScheduled(scheduledTask(fire));
}

/** The task of one fire. */
export function scheduledTask(fire: ScheduledFire): ScheduledTask {
  const { schedule, name } = fire;
  return {
    name,
    fireKey: `${name}@${fire.fireAt.toISOString()}${fire.manual ? '/manual' : ''}`,
    channel: schedule.deliver.channel,
    to: schedule.deliver.to,
    subject: schedule.subject ?? name,
    ...(schedule.model === undefined ? {} : { model: schedule.model }),
    ...(schedule.effort === undefined ? {} : { effort: schedule.effort }),
    prompt: promptOf(schedule),
  };
}

function promptOf(schedule: ScheduleConfig): ScheduledTask['prompt'] {
  const { prompt, trigger_command: command } = schedule;
  if (prompt !== undefined) return () => Promise.resolve(prompt);
  return async (context) => {
    const trigger = command ?? '';
    if (context.runCommand === undefined) throw new Error(`this repo's task runner cannot run trigger_command ${JSON.stringify(trigger)}`);
    const result = await context.runCommand(splitCommand(trigger), schedule.trigger_timeout);
    return triggerPrompt(trigger, result, schedule.output_limit);
  };
}
