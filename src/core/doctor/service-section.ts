import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessRunner } from '../process/index.js';
import { failed, passed, type CheckResult, type SectionResult } from './report.js';
import { checkServiceHealth, type HealthFetch } from './service-health.js';

/** The systemd user unit `airut install-service` writes, relative to HOME. */
export const SERVICE_UNIT_PATH = join('.config', 'systemd', 'user', 'airut.service');

/**
 * Service section (informational): is the systemd user unit installed, and is it
 * running (with the URL its dashboard is reached at); what the running
 * service's `/api/health` says; and whether it runs the installed version. A
 * host without a usable systemd (e.g. in a container) only gets a note.
 */
export async function checkService(deps: {
  runner: ProcessRunner;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  /** The dashboard of the configured service on its local address, whose `/api/health` and `/api/version` are read; undefined when it is disabled. */
  dashboardUrl?: string | undefined;
  /** `dashboard.base_url`: how people reach the dashboard, shown instead of the local address when set. */
  baseUrl?: string | undefined;
  /** The version installed here, compared with the running service's. */
  installedVersion?: string | undefined;
  fetchHealth?: HealthFetch;
}): Promise<SectionResult> {
  const section = await checkUnit({ ...deps, shownUrl: deps.baseUrl ?? deps.dashboardUrl });
  if (deps.dashboardUrl === undefined) return section;
  const fetchJson = deps.fetchHealth ?? fetch;
  const health: CheckResult = await checkServiceHealth(deps.dashboardUrl, fetchJson);
  const running = deps.installedVersion === undefined ? undefined : await checkRunningVersion(deps.dashboardUrl, deps.installedVersion, fetchJson);
  return { ...section, checks: [...section.checks, health, ...(running === undefined ? [] : [running])] };
}

/**
 * Running against installed version (CLI-27): asked of the local address,
 * never of `base_url`. A service that does not answer, or answers no
 * version, gives no line; an update not yet applied is a notice.
 */
export async function checkRunningVersion(url: string, installed: string, fetchJson: HealthFetch, timeoutMs = 3_000): Promise<CheckResult | undefined> {
  let version: unknown;
  try {
    const response = await fetchJson(`${url}/api/version`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return undefined;
    version = ((await response.json()) as { version?: unknown } | null)?.version;
  } catch {
    // No service there (or not Airut): the health line already says so.
    return undefined;
  }
  if (typeof version !== 'string' || version === '') return undefined;
  if (version === installed) return passed('running version', 'info', `${version}, the installed one`);
  return failed('running version', 'info', `version mismatch: running ${version}, installed ${installed}`, 'Restart the service to run the installed version: systemctl --user restart airut.service.');
}

async function checkUnit(deps: { runner: ProcessRunner; env: Readonly<Record<string, string | undefined>>; home: string; shownUrl: string | undefined }): Promise<SectionResult> {
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
    const at = deps.shownUrl === undefined ? '' : ` at ${deps.shownUrl}`;
    return { name, checks: [passed('airut.service', 'info', `installed and running${at} (${unit})`)] };
  }
  const why = state.stdout || state.stderr.split('\n')[0] || `exit ${state.exitCode ?? 'none'}`;
  return { name, checks: [failed('airut.service', 'info', `installed but not running (${why})`, 'Start it: systemctl --user start airut.service; logs: journalctl --user -u airut.service.')] };
}
