export { startService } from './service.js';
export type { Service, ServiceOptions } from './service.js';
export { resolveDashboardAddress } from './dashboard-address.js';
export type { DashboardAddress } from './dashboard-address.js';
