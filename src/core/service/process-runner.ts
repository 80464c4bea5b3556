/**
 * The service area spawns systemctl, loginctl, npm and the new `airut check`
 * through the same runner `airut check` uses: execa, argv arrays, PATH from the
 * injected environment (so tests put fake executables first).
 */
export { runProcess, type ProcessOutcome, type ProcessRunner } from '../doctor/process-runner.js';
