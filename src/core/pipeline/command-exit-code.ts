import type { CommandResult } from '../../sandbox/index.js';

/** Exit code of a command that ran past its timeout (as timeout(1)). */
export const EXIT_TIMEOUT = 124;
/** Exit code of a command killed by SIGKILL (the memory limit, or a forced stop). */
export const EXIT_KILLED = 137;
/** Exit code of a run stopped by SIGINT/SIGTERM before the command ended. */
export const EXIT_STOPPED = 130;
/** Exit code when Airut itself failed during the run (its network proxy died): not the command's. */
export const EXIT_AIRUT_FAILED = 125;

/**
 * The exit code a command task ends with, as `airut sandbox exec` passes it
 * on: the command's own, 124 on timeout, 130 when stopped, 137 when the
 * container was killed, 125 when the network proxy failed and the run was
 * ended for it.
 */
export function commandExitCode(result: CommandResult): number {
  if (result.proxyFailure !== undefined) return EXIT_AIRUT_FAILED;
  if (result.timedOut) return EXIT_TIMEOUT;
  if (result.stopped) return EXIT_STOPPED;
  return result.exitCode ?? EXIT_KILLED;
}
