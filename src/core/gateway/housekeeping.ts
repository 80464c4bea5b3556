import type { Logger } from '../log/index.js';

/** One housekeeping pass; errors are logged, never thrown out of the timer. */
export type HousekeepingPass = () => Promise<void>;

/** The timers passes are scheduled with; tests pass ones they fire by hand. */
export interface HousekeepingTimers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, which do not keep the process alive. */
const SYSTEM_TIMERS: HousekeepingTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options of {@link startHousekeeping}. */
export interface HousekeepingOptions {
  /** Delay of the first pass after start. Default 60 s. */
  firstDelayMs?: number;
  /** Time between passes. Default 24 h. */
  intervalMs?: number;
  logger: Logger;
  timers?: HousekeepingTimers;
}

/** A running housekeeping schedule. */
export interface Housekeeping {
  /** Cancels future passes and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` a minute after start and then daily (conversation clean-up,
 * Slack thread map, image and Claude Code binary pruning). Passes never
 * overlap: the next is timed from the end of the previous one. A failed pass
 * is logged and the schedule goes on.
 */
export function startHousekeeping(pass: HousekeepingPass, options: HousekeepingOptions): Housekeeping {
  const timers = options.timers ?? SYSTEM_TIMERS;
  let timer: unknown;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = (delay: number): void => {
    timer = timers.setTimeout(() => {
      timer = undefined;
      current = pass()
        .catch((error: unknown) => options.logger.error('housekeeping failed', { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => { if (!stopped) schedule(options.intervalMs ?? 24 * 60 * 60 * 1000); });
    }, delay);
  };
  schedule(options.firstDelayMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await current;
    },
  };
}
