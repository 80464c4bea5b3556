import type { DashboardConfig } from '../config/index.js';
import { startDashboard, type Dashboard, type DashboardSource } from '../dashboard/index.js';
import type { Logger } from '../log/index.js';
import { resolveDashboardAddress } from './dashboard-address.js';

/** Options of {@link ServiceDashboard}. */
export interface ServiceDashboardOptions {
  /** `--dashboard-host` / `--dashboard-port`: they win over the config. */
  flags: { host?: string; port?: number };
  source: DashboardSource;
  logger: Logger;
}

/**
 * The service's dashboard listener, following `dashboard.enabled/host/port`
 * (the flags win over the config): started, moved to a new address, or
 * stopped when a reload changes them.
 */
export class ServiceDashboard {
  private current: { dashboard: Dashboard; key: string } | undefined;

  constructor(private readonly options: ServiceDashboardOptions) {}

  /** The base URL, or undefined while no dashboard runs. */
  get url(): string | undefined {
    return this.current?.dashboard.url;
  }

  /** True when `config` asks for another listener than the one running. */
  differs(config: DashboardConfig): boolean {
    return this.keyOf(config) !== this.current?.key;
  }

  /**
   * Brings the listener in line with `config`. Rejects when the new address
   * cannot be bound; the listener that ran before is then kept (or, when it
   * had to be closed first to free its port, reopened).
   */
  async apply(config: DashboardConfig): Promise<void> {
    const key = this.keyOf(config);
    const old = this.current;
    if (key === old?.key) return;
    if (key === undefined) {
      await this.close();
      this.options.logger.info('dashboard stopped', { reason: 'dashboard.enabled is false' });
      return;
    }
    const address = resolveDashboardAddress(this.options.flags, config);
    // The same port on another host can only be bound once the old listener let go of it.
    const freeFirst = old !== undefined && new URL(old.dashboard.url).port === String(address.port);
    if (freeFirst) {
      await old.dashboard.close();
      this.current = undefined;
    }
    let dashboard: Dashboard;
    try {
      dashboard = await startDashboard({ host: address.host, port: address.port, source: this.options.source });
    } catch (error) {
      // The error to report is the new address's; failing to reopen the old one leaves no dashboard, which `url` shows.
      if (freeFirst) this.current = await this.reopen(old.key).catch(() => undefined);
      throw error;
    }
    if (!freeFirst) await old?.dashboard.close();
    this.current = { dashboard, key };
    if (address.exposed) {
      this.options.logger.warn('dashboard is bound beyond loopback; anyone who can reach this address can see and control tasks', { host: address.host });
    }
    this.options.logger.info('dashboard listening', { url: dashboard.url });
  }

  /** Stops the listener. */
  async close(): Promise<void> {
    const old = this.current;
    this.current = undefined;
    await old?.dashboard.close();
  }

  private async reopen(key: string): Promise<{ dashboard: Dashboard; key: string }> {
    const { host, port } = JSON.parse(key) as { host: string; port: number };
    const dashboard = await startDashboard({ host, port, source: this.options.source });
    this.options.logger.info('dashboard listening again at its previous address', { url: dashboard.url });
    return { dashboard, key };
  }

  /** Identifies the listener `config` asks for; undefined when disabled. */
  private keyOf(config: DashboardConfig): string | undefined {
    if (config.enabled === false) return undefined;
    const { host, port } = resolveDashboardAddress(this.options.flags, config);
    return JSON.stringify({ host, port });
  }
}
