import { parseCron, type CronFields } from '../config/cron-expression.js';
import type { ScheduleConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { nextFire, nextFires } from './next-fire.js';
import type { ScheduleOutcome, ScheduleState } from './schedule-state.js';

/** One fire handed to the gateway. */
export interface ScheduledFire {
  name: string;
  schedule: ScheduleConfig;
  /** The cron time this fire is for (the request time for "Run now"). */
  fireAt: Date;
  /** "Run now" from the dashboard rather than the timer. */
  manual: boolean;
}

/** How a fire ended, as the gateway reports it. */
export interface FireResult {
  outcome: ScheduleOutcome;
  conversationId?: string;
  error?: string;
}

/** A schedule as the dashboard and `airut check` show it. */
export interface ScheduleView {
  name: string;
  cron: string;
  zone: string;
  enabled: boolean;
  missed: 'skip' | 'run_once';
  nextFire: Date | undefined;
  running: boolean;
  lastFire: string | undefined;
  lastRun: ReturnType<ScheduleState['get']>['lastRun'];
  skipped: ReturnType<ScheduleState['get']>['skipped'];
}

/** Timer functions; tests pass their own so no test waits for real minutes. */
export interface SchedulerTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  repoId: string;
  schedules: Readonly<Record<string, ScheduleConfig>>;
  /** Zone of schedules without `timezone`. */
  defaultZone: string;
  state: ScheduleState;
  logger: Logger;
  /** Runs one fire as a task; resolves when it is over. */
  run: (fire: ScheduledFire) => Promise<FireResult>;
  clock?: () => Date;
  /** Longest sleep between looks at the clock. Default 60 s. */
  maxSleepMs?: number;
  timers?: SchedulerTimers;
}

interface Entry {
  name: string;
  schedule: ScheduleConfig;
  fields: CronFields;
  zone: string;
  next: Date | undefined;
}

const DEFAULT_TIMERS: SchedulerTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => { clearTimeout(handle as NodeJS.Timeout); },
};

/**
 * The timer of one repo's schedules. It wakes at the earliest next fire
 * (at least every `maxSleepMs`, so a clock that jumps is noticed), and hands
 * every schedule whose time has come to `run`.
 *
 * - Overlap guard: a schedule whose previous run is still going skips the
 *   fire (logged) instead of piling runs up.
 * - At most once per fire: the fire is written to the state file before its
 *   task starts, so a crash during the run never runs or delivers it again;
 *   the run is reported as interrupted at the next start.
 * - `missed: run_once`: at start, when fires were missed since the last one
 *   recorded, the schedule runs once at once (for the latest missed time).
 */
export class Scheduler {
  private readonly entries: Entry[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private readonly clock: () => Date;
  private readonly timers: SchedulerTimers;
  private readonly log: Logger;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.log = options.logger.child({ repo: options.repoId, component: 'scheduler' });
    for (const [name, schedule] of Object.entries(options.schedules)) {
      // The config was validated on load; a parse error here is a bug worth failing the repo's start for.
      this.entries.push({ name, schedule, fields: parseCron(schedule.cron), zone: schedule.timezone ?? options.defaultZone, next: undefined });
    }
  }

  /** Reports runs a crash cut short, runs missed fires as asked, and starts the timer. */
  async start(): Promise<void> {
    const now = this.clock();
    const { state } = this.options;
    for (const entry of this.entries) {
      const record = state.get(entry.name);
      if (record.lastFire !== undefined && record.lastRun?.fireAt !== record.lastFire) {
        this.log.warn('a scheduled run was cut short by a restart; it is not run again', { schedule: entry.name, fire_at: record.lastFire });
        const fireAt = record.lastFire;
        await state.update(entry.name, (r) => ({ ...r, lastRun: { fireAt, finishedAt: now.toISOString(), outcome: 'interrupted', error: 'the service stopped during the run' } }));
      }
      entry.next = this.following(entry, now);
      if (!entry.schedule.enable) {
        this.log.info('schedule disabled', { schedule: entry.name });
        continue;
      }
      this.log.info('schedule armed', { schedule: entry.name, cron: entry.schedule.cron, zone: entry.zone, next: entry.next?.toISOString() });
      const missed = this.latestMissed(entry, now);
      if (missed !== undefined) {
        this.log.info('fires were missed while the service was down; running once now', { schedule: entry.name, missed: missed.toISOString() });
        await this.dispatch(entry, missed, false);
      }
    }
    this.arm();
  }

  /** Stops the timer; runs in progress are the gateway's to finish or stop. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }

  /** Resolves once no fire of this scheduler is running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** The schedules with their next fire, last run and state. */
  list(): ScheduleView[] {
    return this.entries.map((e) => {
      const record = this.options.state.get(e.name);
      return {
        name: e.name,
        cron: e.schedule.cron,
        zone: e.zone,
        enabled: e.schedule.enable,
        missed: e.schedule.missed,
        nextFire: e.schedule.enable ? e.next : undefined,
        running: this.running.has(e.name),
        lastFire: record.lastFire,
        lastRun: record.lastRun,
        skipped: record.skipped,
      };
    });
  }

  /**
   * "Run now": one run of `name` at once, outside its cron times (a
   * disabled schedule too). Returns why not when it cannot start.
   */
  async runNow(name: string): Promise<'started' | 'unknown' | 'running' | 'stopped'> {
    const entry = this.entries.find((e) => e.name === name);
    if (entry === undefined) return 'unknown';
    if (this.stopped) return 'stopped';
    if (this.running.has(name)) return 'running';
    await this.dispatch(entry, this.clock(), true);
    return 'started';
  }

  /** Looks at the clock: every enabled schedule whose time has come fires. */
  private async tick(): Promise<void> {
    const now = this.clock();
    for (const entry of this.entries) {
      if (this.stopped) return;
      if (!entry.schedule.enable || entry.next === undefined || entry.next > now) continue;
      const fireAt = entry.next;
      entry.next = this.following(entry, now, fireAt);
      if (this.running.has(entry.name)) {
        await this.recordSkip(entry, fireAt);
        continue;
      }
      await this.dispatch(entry, fireAt, false);
    }
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.clock().getTime();
    const earliest = Math.min(...this.entries.filter((e) => e.schedule.enable && e.next !== undefined).map((e) => (e.next as Date).getTime()));
    const wait = Math.max(100, Math.min(this.options.maxSleepMs ?? 60_000, earliest - now));
    this.timer = this.timers.set(() => {
      this.tick().catch((error: unknown) => {
        this.log.error('scheduler tick failed', { error: error instanceof Error ? error.message : String(error) });
      }).finally(() => { this.arm(); });
    }, wait);
  }

  /**
   * Records the fire, then starts its run in the background. The schedule
   * counts as running before the fire is written, so a "Run now" arriving
   * during the write is refused rather than run alongside this fire. Rejects
   * (and runs nothing) when the fire cannot be recorded.
   */
  private async dispatch(entry: Entry, fireAt: Date, manual: boolean): Promise<void> {
    const { state } = this.options;
    const fireIso = fireAt.toISOString();
    const recorded = manual ? Promise.resolve() : state.update(entry.name, (r) => ({ ...r, lastFire: fireIso }));
    const run = recorded.then(() => this.execute(entry, fireAt, manual), () => undefined)
      .finally(() => { this.running.delete(entry.name); });
    this.running.set(entry.name, run);
    await recorded;
  }

  /** Runs one recorded fire and records how it ended. */
  private async execute(entry: Entry, fireAt: Date, manual: boolean): Promise<void> {
    const { state } = this.options;
    const fireIso = fireAt.toISOString();
    this.log.info('schedule fired', { schedule: entry.name, fire_at: fireIso, manual });
    try {
      let result: FireResult;
      try {
        result = await this.options.run({ name: entry.name, schedule: entry.schedule, fireAt, manual });
      } catch (error) {
        result = { outcome: 'failed', error: error instanceof Error ? error.message : String(error) };
        this.log.error('scheduled run failed', { schedule: entry.name, error: result.error });
      }
      const finishedAt = this.clock().toISOString();
      await state.update(entry.name, (r) => ({
        ...r,
        ...(manual ? {} : { lastFire: fireIso }),
        lastRun: { fireAt: manual ? (r.lastFire ?? fireIso) : fireIso, finishedAt, outcome: result.outcome, ...optional('conversationId', result.conversationId), ...optional('error', result.error) },
      }));
      this.log.info('scheduled run finished', { schedule: entry.name, outcome: result.outcome, conversation: result.conversationId });
    } catch (error) {
      this.log.error('could not record a scheduled run', { schedule: entry.name, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Logs a fire the overlap guard skipped and counts it in the schedule's record, so the dashboard shows it. */
  private async recordSkip(entry: Entry, fireAt: Date): Promise<void> {
    const fireIso = fireAt.toISOString();
    this.log.warn('previous run still going; this fire is skipped', { schedule: entry.name, fire_at: fireIso });
    try {
      await this.options.state.update(entry.name, (r) => ({ ...r, skipped: { count: (r.skipped?.count ?? 0) + 1, lastFireAt: fireIso } }));
    } catch (error) {
      this.log.error('could not record a skipped fire', { schedule: entry.name, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** The next fire of `entry` after `after`. */
  private following(entry: Entry, after: Date, lastFire?: Date): Date | undefined {
    const recorded = this.options.state.get(entry.name).lastFire;
    return nextFire(entry.fields, entry.zone, after, lastFire ?? (recorded === undefined ? undefined : new Date(recorded)));
  }

  /** With `missed: run_once`: the latest fire time between the last recorded fire and now, if any. */
  private latestMissed(entry: Entry, now: Date): Date | undefined {
    const recorded = this.options.state.get(entry.name).lastFire;
    if (entry.schedule.missed !== 'run_once' || recorded === undefined) return undefined;
    let missed: Date | undefined;
    let cursor = new Date(recorded);
    // In batches: a minutely schedule down for weeks has tens of thousands of missed times.
    for (;;) {
      const batch = nextFires(entry.fields, entry.zone, cursor, 1000, cursor).filter((d) => d <= now);
      const last = batch.at(-1);
      if (last === undefined) break;
      missed = last;
      if (batch.length < 1000) break;
      cursor = last;
    }
    return missed;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
