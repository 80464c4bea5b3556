import type { BudgetExceeded } from './outcome.js';

/**
 * What a command task (any argv, not Claude) produced. Expected failures (a
 * non-zero exit, a timeout, a stop) are reported here, never thrown.
 */
export interface CommandResult {
  /** The command's exit code; undefined when it was killed by a signal. */
  exitCode: number | undefined;
  /** Everything the command wrote to stdout, newlines kept. */
  stdout: string;
  /** Everything the command wrote to stderr, newlines kept. */
  stderr: string;
  /** Wall-clock run time. */
  durationMs: number;
  /** True when the run was killed for exceeding its time limit (output so far is kept). */
  timedOut: boolean;
  /** True when the run was ended by `stop()`. */
  stopped: boolean;
  /** Set when the run was ended because its network proxy failed: what went wrong. Airut's failure, not the command's. */
  proxyFailure?: string;
  /** Set when the proxy refused a request of the run because a spending cap was reached (the command sees 403 answers). */
  budget?: BudgetExceeded;
}
