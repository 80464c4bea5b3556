/** Where the dashboard listens, and where that choice came from. */
export interface DashboardAddress {
  host: string;
  port: number;
  /** True when the host is not a loopback address (serve warns about it). */
  exposed: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/**
 * Picks the dashboard address: command-line flags (which oclif also fills
 * from AIRUT_DASHBOARD_HOST/PORT) win over the config file, which wins over the
 * defaults (127.0.0.1:5200).
 */
export function resolveDashboardAddress(
  flags: { host?: string; port?: number },
  config: { host?: string; port?: number },
): DashboardAddress {
  const host = flags.host ?? config.host ?? '127.0.0.1';
  const port = flags.port ?? config.port ?? 5200;
  return { host, port, exposed: !LOOPBACK.test(host) };
}
