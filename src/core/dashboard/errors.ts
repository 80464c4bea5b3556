import { AirutError } from '../../sandbox/index.js';

/** Exit code of `airut serve` when the dashboard's address is taken. */
export const EXIT_PORT_IN_USE = 3;

/** The dashboard server could not start or serve. */
export class DashboardError extends AirutError {}

/** Builds the error for an address that is already in use. */
export function portInUse(host: string, port: number, cause: unknown): DashboardError {
  return new DashboardError('DASHBOARD_PORT_IN_USE', `dashboard address ${host}:${port} is already in use`, {
    exitCode: EXIT_PORT_IN_USE,
    cause,
    hint: `Stop the other process on port ${port}, or choose another port with --dashboard-port, AIRUT_DASHBOARD_PORT or dashboard.port in airut.yaml.`,
  });
}
