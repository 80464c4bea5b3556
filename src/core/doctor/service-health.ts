import { failed, passed, type CheckResult } from './report.js';

/** The fetch the health check uses (undici's or the global one). */
export type HealthFetch = (url: string, init: { signal: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

interface HealthBody {
  status?: unknown;
  problems?: { repo?: unknown; reason?: unknown }[];
}

/** The URL the service's dashboard answers on for a config's `dashboard` block (a wildcard host is reached on loopback). */
export function dashboardUrlOf(dashboard: { enabled?: boolean; host?: string; port?: number }): string | undefined {
  if (dashboard.enabled === false) return undefined;
  const host = dashboard.host === undefined || dashboard.host === '0.0.0.0' || dashboard.host === '' ? '127.0.0.1' : dashboard.host === '::' ? '::1' : dashboard.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${dashboard.port ?? 5200}`;
}

/**
 * What the running service says of itself (`/api/health`): informational,
 * since a host being checked before the service runs is normal.
 */
export async function checkServiceHealth(url: string, fetchHealth: HealthFetch, timeoutMs = 3_000): Promise<CheckResult> {
  const name = 'service health';
  let body: HealthBody;
  try {
    const response = await fetchHealth(`${url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    body = await response.json() as HealthBody;
  } catch {
    // Refused, timed out or not JSON: no service answers there.
    return passed(name, 'info', `no service answers at ${url}`);
  }
  const problems = (Array.isArray(body.problems) ? body.problems : [])
    .map((p) => `${typeof p.repo === 'string' ? `${p.repo}: ` : ''}${typeof p.reason === 'string' ? p.reason : 'unknown'}`);
  const at = `at ${url}`;
  if (body.status === 'ok') return passed(name, 'info', `ok ${at}`);
  if (body.status === 'degraded' || body.status === 'error') {
    return failed(name, 'info', `${body.status} ${at}: ${problems.join('; ') || 'no reason given'}`, `Open ${url} for each repository's error, or read the service log (journalctl --user -u airut.service).`);
  }
  return failed(name, 'info', `${at} answers something that is not Airut's health (${JSON.stringify(body.status)})`, null);
}
