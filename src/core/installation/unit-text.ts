/** Everything the systemd unit of `airut serve` depends on, already resolved. */
export interface UnitSpec {
  /** Absolute path of the Node binary that runs Airut. */
  nodePath: string;
  /** Absolute path of the installed entry point (`.../bin/run.js`). */
  entryPoint: string;
  /** Arguments after the entry point, e.g. `['serve']` or `['serve', '--config', FILE]`. */
  args: readonly string[];
  /** Seconds systemd waits for a stop before killing; longer than `execution.shutdown_timeout`. */
  stopTimeoutSeconds: number;
  /** Variables set in the service's environment, PATH among them; written sorted. */
  environment: Readonly<Record<string, string>>;
  /** `user` units start with the user's session manager, `system` units at boot. */
  scope: 'user' | 'system';
}

/** The unit's file name, in both scopes. */
export const UNIT_NAME = 'airut.service';

// systemd expands %-specifiers everywhere and $VAR in ExecStart: both are
// doubled so paths holding them reach the process literally.
function escapeCommon(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%');
}

function quoteArgument(value: string): string {
  const escaped = escapeCommon(value).replaceAll('$', '$$$$');
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) && value !== '' ? escaped : `"${escaped}"`;
}

function quoteAssignment(name: string, value: string): string {
  return `"${escapeCommon(`${name}=${value}`)}"`;
}

/**
 * Renders the unit file. A pure function of its spec, so reinstalling with the
 * same inputs writes the same bytes and the result can be compared and tested.
 */
export function renderUnit(spec: UnitSpec): string {
  const exec = [spec.nodePath, spec.entryPoint, ...spec.args].map(quoteArgument).join(' ');
  const environment = Object.keys(spec.environment).sort()
    .map((name) => `Environment=${quoteAssignment(name, spec.environment[name] ?? '')}`);
  return [
    '[Unit]',
    'Description=Airut: sandboxed Claude Code over email and Slack',
    'Documentation=man:airut-serve(1)',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec}`,
    ...environment,
    'Restart=on-failure',
    'RestartSec=10',
    // SIGTERM goes to `airut serve` alone: it lets running task containers finish
    // and stops them itself. The default (the whole cgroup) would kill podman's
    // helpers and the running tasks at once.
    'KillMode=mixed',
    `TimeoutStopSec=${spec.stopTimeoutSeconds}`,
    '',
    '[Install]',
    `WantedBy=${spec.scope === 'user' ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}
