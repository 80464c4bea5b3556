/**
 * Running host programs (git, systemctl, loginctl, npm, podman probes) for
 * `airut check` and the service commands: one runner, argv arrays only.
 */
export { runProcess, type ProcessOutcome, type ProcessRunner } from './run-process.js';
