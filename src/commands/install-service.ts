import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { AirutCommand } from '../core/cli/index.js';
import type { InstallResult } from '../core/installation/index.js';

export default class InstallService extends AirutCommand {
  static override summary = 'Install airut serve as a systemd service, or update the installed unit.';

  static override description = `Writes the systemd unit airut.service: a user unit in ~/.config/systemd/user by default, or with --system (as root) a system unit in /etc/systemd/system. The unit runs this Airut with absolute paths to its Node binary and entry point, a PATH that finds the container runtime and git, restarts on failure, and gives the service longer to stop than execution.shutdown_timeout so running tasks can finish. AIRUT_CONFIG, CONTAINERS_CONF and the XDG directory variables set in this shell are carried into the unit.

A user unit needs lingering, or systemd stops the service at logout and does not start it at boot; when it is off, nothing is written and the command to enable it is shown. Then systemd is reloaded and the service enabled and started. Running it again rewrites the unit only if it changed (and then restarts the service). Prints each step.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'sudo <%= config.bin %> <%= command.id %> --system',
    '<%= config.bin %> <%= command.id %> --config /srv/airut/airut.yaml',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    system: Flags.boolean({ description: 'Install a system unit (needs root) instead of a user unit.', default: false }),
    config: Flags.string({ description: 'Configuration file the service uses (written into the unit).', env: 'AIRUT_CONFIG', helpValue: 'FILE' }),
  };

  static override exitCodes = {
    '0': 'The service is installed, enabled and started.',
    '1': 'Lingering is off for the user, --system without root, the configuration is invalid, or a systemctl call failed.',
  };

  static override environment = {
    AIRUT_CONFIG: 'Configuration file (same as --config); also written into the unit.',
    CONTAINERS_CONF: 'Carried into the unit when set.',
    XDG_CONFIG_HOME: 'Carried into the unit when set (likewise XDG_STATE_HOME, XDG_CACHE_HOME, XDG_DATA_HOME).',
    USER: 'The user whose lingering is checked for a user unit.',
  };

  static override files = {
    '~/.config/systemd/user/airut.service': 'The user unit written.',
    '/etc/systemd/system/airut.service': 'The system unit written with --system.',
    '~/.config/airut/airut.yaml': 'Read for execution.shutdown_timeout and execution.container_command.',
  };

  async run(): Promise<InstallResult> {
    const { flags } = await this.parse(InstallService);
    const { loadConfig, resolveConfigPath } = await import('../core/config/index.js');
    const { installService, runProcess } = await import('../core/installation/index.js');
    const configFile = resolveConfigPath({ flag: flags.config, env: process.env });
    const { config } = await loadConfig({ path: configFile, env: process.env });
    const explicit = flags.config !== undefined && flags.config !== '';
    return installService({
      scope: flags.system ? 'system' : 'user',
      uid: process.getuid?.() ?? -1,
      user: process.env.USER ?? userInfo().username,
      nodePath: process.execPath,
      entryPoint: join(this.config.root, 'bin', 'run.js'),
      configFile: explicit ? configFile : undefined,
      shutdownTimeoutSeconds: config.execution.shutdown_timeout,
      containerCommand: config.execution.container_command,
      runner: runProcess,
      env: process.env,
      home: homedir(),
      report: (line) => { if (!this.jsonEnabled()) this.log(line); },
    });
  }
}
