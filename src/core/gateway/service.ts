import { loadConfig, type LoadedConfig } from '../config/index.js';
import { startDashboard, type Dashboard, type DashboardState } from '../dashboard/index.js';
import type { Logger } from '../log/index.js';
import { resolveDashboardAddress } from './dashboard-address.js';

/** What `airut serve` needs to start. */
export interface ServiceOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  version: string;
  dashboard: { host?: string; port?: number };
}

/** The running service. */
export interface Service {
  /** The dashboard's base URL, or undefined when it is disabled. */
  dashboardUrl: string | undefined;
  /** Re-reads the config; an invalid file keeps the running config and is reported. */
  reload(): Promise<void>;
  /** Stops taking work and closes everything. */
  stop(): Promise<void>;
}

function dashboardState(loaded: LoadedConfig, version: string): DashboardState {
  return {
    version,
    configPath: loaded.path,
    configExists: loaded.exists,
    repos: Object.keys(loaded.config.repos).map((id) => ({ id, channels: [] })),
    tasks: { queued: 0, running: 0, completed: 0, failed: 0 },
  };
}

/**
 * Starts the service: loads and validates the config (a ConfigError rejects
 * before anything listens), then brings up the dashboard.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { logger } = options;
  let loaded = await loadConfig({ path: options.configPath, env: options.env });
  logger.info(loaded.exists ? 'config loaded' : 'no config file; starting with defaults and no repos', {
    path: loaded.path,
    repos: Object.keys(loaded.config.repos).length,
  });
  for (const id of Object.keys(loaded.config.repos)) {
    logger.warn('repo configured, but this version has no channel handlers yet; it is not served', { repo: id });
  }

  let dashboard: Dashboard | undefined;
  if (loaded.config.dashboard.enabled !== false) {
    const address = resolveDashboardAddress(options.dashboard, loaded.config.dashboard);
    if (address.exposed) {
      logger.warn('dashboard is bound beyond loopback; anyone who can reach this address can see and control tasks', { host: address.host });
    }
    dashboard = await startDashboard({ host: address.host, port: address.port, state: () => dashboardState(loaded, options.version) });
    logger.info('dashboard listening', { url: dashboard.url });
  }

  return {
    dashboardUrl: dashboard?.url,
    async reload() {
      try {
        loaded = await loadConfig({ path: options.configPath, env: options.env });
        logger.info('config reloaded', { path: loaded.path, repos: Object.keys(loaded.config.repos).length });
      } catch (error) {
        logger.error('config reload failed; keeping the running config', { error: (error as Error).message });
      }
    },
    async stop() {
      await dashboard?.close();
      logger.info('stopped');
    },
  };
}
