import type { Logger } from '../log/index.js';

/** One housekeeping pass; errors are logged, never thrown out of the timer. */
export type HousekeepingPass = () => Promise<void>;

/** Options of {@link startHousekeeping}. */
export interface HousekeepingOptions {
  /** Delay of the first pass after start. Default 60 s. */
  firstDelayMs?: number;
  /** Time between passes. Default 24 h. */
  intervalMs?: number;
  logger: Logger;
}

/** A running housekeeping schedule. */
export interface Housekeeping {
  /** Cancels future passes and waits for one in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` a minute after start and then daily (conversation clean-up,
 * image pruning). Passes never overlap, and the timers do not keep the
 * process alive.
 */
export function startHousekeeping(pass: HousekeepingPass, options: HousekeepingOptions): Housekeeping {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = (delay: number): void => {
    timer = setTimeout(() => {
      current = pass()
        .catch((error: unknown) => options.logger.error('housekeeping failed', { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => { if (!stopped) schedule(options.intervalMs ?? 24 * 60 * 60 * 1000); });
    }, delay);
    timer.unref();
  };
  schedule(options.firstDelayMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
