export { startDashboard } from './server.js';
export type { Dashboard, DashboardOptions } from './server.js';
export type { DashboardState, RepoView, TaskCounts } from './state.js';
export { DashboardError, EXIT_PORT_IN_USE } from './errors.js';
