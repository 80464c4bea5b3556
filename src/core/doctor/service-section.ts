import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessRunner } from '../process/index.js';
import { failed, passed, type CheckResult, type SectionResult } from './report.js';
import { checkServiceHealth, type HealthFetch } from './service-health.js';

/** The systemd user unit `airut install-service` writes, relative to HOME. */
export const SERVICE_UNIT_PATH = join('.config', 'systemd', 'user', 'airut.service');

/**
 * Service section (informational): is the systemd user unit installed, and is it
 * running. A host without a usable systemd (e.g. in a container) only gets a note.
 */
export async function checkService(deps: {
  runner: ProcessRunner;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  /** The dashboard of the configured service, whose `/api/health` is read; undefined when it is disabled. */
  dashboardUrl?: string | undefined;
  fetchHealth?: HealthFetch;
}): Promise<SectionResult> {
  const section = await checkUnit(deps);
  if (deps.dashboardUrl === undefined) return section;
  const health: CheckResult = await checkServiceHealth(deps.dashboardUrl, deps.fetchHealth ?? fetch);
  return { ...section, checks: [...section.checks, health] };
}

async function checkUnit(deps: { runner: ProcessRunner; env: Readonly<Record<string, string | undefined>>; home: string }): Promise<SectionResult> {
  const name = 'Service';
  const unit = join(deps.home, SERVICE_UNIT_PATH);
  try {
    await access(unit);
  } catch {
    // No unit file: the service is simply not installed.
    return { name, checks: [passed('airut.service', 'info', `not installed (${unit})`, 'Run `airut install-service` to run Airut as a service.')] };
  }
  const state = await deps.runner('systemctl', ['--user', 'is-active', 'airut.service'], { env: deps.env, timeoutMs: 5_000 });
  if (state.notFound) {
    return { name, checks: [failed('airut.service', 'info', `installed (${unit}); systemctl not found, so its state is unknown`, null)] };
  }
  if (state.stdout === 'active') {
    return { name, checks: [passed('airut.service', 'info', `installed and running (${unit})`)] };
  }
  const why = state.stdout || state.stderr.split('\n')[0] || `exit ${state.exitCode ?? 'none'}`;
  return { name, checks: [failed('airut.service', 'info', `installed but not running (${why})`, 'Start it: systemctl --user start airut.service; logs: journalctl --user -u airut.service.')] };
}
