import { homedir } from 'node:os';
import { Flags } from '@oclif/core';
import { AirutCommand } from '../core/cli/index.js';
import type { UpdateResult } from '../core/installation/index.js';

export default class Update extends AirutCommand {
  static override summary = 'Upgrade Airut without cutting off running tasks, checking the new version before the service uses it.';

  static override description = `First asks the local service (its dashboard's /api/health) whether tasks are running or queued: it refuses while any are, waits for them with --wait (polling with backoff), or skips the question with --force. Then it upgrades Airut the way it was installed: a global npm install with npm install --global (nothing happens, service included, when the version is already the one installed), an oclif tarball install with @oclif/plugin-update. A git checkout or an npx run is refused with the command to use instead.

When the service is running it is stopped before the upgrade; the new version's airut check runs, and the service is started again. When that check fails, the previous version is installed again and the service restarted on it, and the check's output is shown.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --wait',
    '<%= config.bin %> <%= command.id %> --version 0.2.0 --force',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    wait: Flags.boolean({ description: 'Wait for running and queued tasks to finish instead of refusing.', default: false, exclusive: ['force'] }),
    force: Flags.boolean({ description: 'Do not ask the service about running tasks (they are interrupted).', default: false }),
    version: Flags.string({ description: 'Version to install (default: the newest).', helpValue: 'VERSION' }),
    config: Flags.string({ description: 'Configuration file, read for the dashboard address.', env: 'AIRUT_CONFIG', helpValue: 'FILE' }),
    'dashboard-host': Flags.string({ description: 'Address of the service\'s dashboard (overrides dashboard.host).', env: 'AIRUT_DASHBOARD_HOST', helpValue: 'HOST' }),
    'dashboard-port': Flags.integer({ description: 'Port of the service\'s dashboard (overrides dashboard.port).', env: 'AIRUT_DASHBOARD_PORT', min: 1, max: 65535, helpValue: 'PORT' }),
  };

  static override exitCodes = {
    '0': 'Updated, or already up to date.',
    '1': 'The new version\'s check failed (the previous version runs again), the upgrade failed, or this install cannot be updated this way (git checkout, npx).',
    '75': 'Tasks are running or queued; nothing was changed (use --wait or --force).',
  };

  static override environment = {
    AIRUT_CONFIG: 'Configuration file (same as --config).',
    AIRUT_DASHBOARD_HOST: 'Same as --dashboard-host.',
    AIRUT_DASHBOARD_PORT: 'Same as --dashboard-port.',
    AIRUT_BINPATH: 'Set by the launcher of an oclif tarball install; marks that install method.',
    npm_config_registry: 'npm registry the new version comes from (else .npmrc).',
  };

  static override files = {
    '~/.config/airut/airut.yaml': 'Read for dashboard.enabled, dashboard.host and dashboard.port.',
    '~/.config/systemd/user/airut.service': 'When present (or /etc/systemd/system/airut.service), the service is stopped and started around the upgrade.',
  };

  async run(): Promise<UpdateResult> {
    const { flags } = await this.parse(Update);
    const { loadConfig, resolveConfigPath } = await import('../core/config/index.js');
    const { resolveDashboardAddress } = await import('../core/gateway/index.js');
    const { dashboardUrl, runProcess, tarballUpdater, updateAirut } = await import('../core/installation/index.js');
    const { config } = await loadConfig({ path: resolveConfigPath({ flag: flags.config, env: process.env }), env: process.env });
    const address = resolveDashboardAddress({ host: flags['dashboard-host'], port: flags['dashboard-port'] }, config.dashboard);
    const result = await updateAirut({
      packageName: this.config.name,
      packageRoot: this.config.root,
      currentVersion: this.config.version,
      targetVersion: flags.version,
      wait: flags.wait,
      force: flags.force,
      nodePath: process.execPath,
      dashboardUrl: config.dashboard.enabled || flags['dashboard-port'] !== undefined ? dashboardUrl(address.host, address.port) : undefined,
      binPath: this.config.binPath,
      tarballUpdate: tarballUpdater(this.config),
      runner: runProcess,
      env: process.env,
      home: homedir(),
      report: (line) => { if (!this.jsonEnabled()) this.log(line); },
    });
    if (result.outcome === 'rolled-back') {
      if (!this.jsonEnabled()) {
        const indented = result.checkOutput.split('\n').map((line) => `  ${line}`).join('\n');
        process.stderr.write(`The check of ${result.attempted} failed:\n${indented}\nRolled back to ${result.from}${result.serviceRestarted ? ' and restarted the service on it' : ''}.\n`);
      }
      process.exitCode = 1;
    }
    return result;
  }
}
