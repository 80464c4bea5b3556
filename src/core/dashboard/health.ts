import type { DashboardSource } from './source.js';
import type { HealthView } from './views.js';

/** The HTTP status `/api/health` answers with: 503 only when nothing works. */
export function healthStatusCode(health: HealthView): number {
  return health.status === 'error' ? 503 : 200;
}

/**
 * Health of a source that does not judge its own (no repos to run): `ok`
 * while the dashboard answers.
 */
export function okHealth(source: DashboardSource): HealthView {
  return {
    status: 'ok',
    version: source.version(),
    repos: { configured: 0, running: 0, failed: 0 },
    problems: [],
    reloadPending: false,
    tasks: source.counts(),
  };
}
