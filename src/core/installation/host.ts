import type { ProcessOutcome, ProcessRunner } from '../process/index.js';
import { ServiceError } from './error.js';
import { systemctlArgs, type ServiceScope } from './unit-location.js';

/** The world the service functions act on; production values come from the command. */
export interface ServiceHost {
  runner: ProcessRunner;
  /** Environment of spawned tools; its PATH decides which systemctl, loginctl and npm run. */
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  /** Directory of system units (default `/etc/systemd/system`). */
  systemDir?: string;
  /** Told each step as it is done, for the command to print. */
  report?: (line: string) => void;
}

const SYSTEMCTL_TIMEOUT_MS = 60_000;

/** Runs `systemctl [--user] ARGS`, returning the outcome whatever the exit code. */
export async function callSystemctl(host: ServiceHost, scope: ServiceScope, args: string[]): Promise<ProcessOutcome> {
  const argv = systemctlArgs(scope, ...args);
  const outcome = await host.runner('systemctl', argv, { env: host.env, timeoutMs: SYSTEMCTL_TIMEOUT_MS });
  if (outcome.notFound) {
    throw new ServiceError('SERVICE_SYSTEMCTL_FAILED', 'systemctl was not found on PATH', {
      hint: 'Airut runs as a service under systemd; on a host without systemd, run `airut serve` under your own supervisor.',
    });
  }
  return outcome;
}

/** Runs `systemctl [--user] ARGS` and throws when it fails. */
export async function runSystemctl(host: ServiceHost, scope: ServiceScope, args: string[]): Promise<void> {
  const outcome = await callSystemctl(host, scope, args);
  if (outcome.exitCode !== 0) {
    const command = ['systemctl', ...systemctlArgs(scope, ...args)].join(' ');
    const detail = outcome.stderr || outcome.stdout || `exit code ${String(outcome.exitCode)}`;
    throw new ServiceError('SERVICE_SYSTEMCTL_FAILED', `\`${command}\` failed: ${detail}`, {
      hint: scope === 'user'
        ? 'Check that a systemd user manager runs for this user (`systemctl --user status`); see `journalctl --user -u airut.service`.'
        : 'See `journalctl -u airut.service`.',
    });
  }
}

/** True when systemd reports the unit active. */
export async function isActive(host: ServiceHost, scope: ServiceScope): Promise<boolean> {
  const outcome = await callSystemctl(host, scope, ['is-active', 'airut.service']);
  return outcome.stdout.trim() === 'active';
}
