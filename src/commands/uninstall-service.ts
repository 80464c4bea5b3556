import { homedir } from 'node:os';
import { Flags } from '@oclif/core';
import { AirutCommand } from '../core/cli/index.js';
import type { UninstallResult } from '../core/installation/index.js';

export default class UninstallService extends AirutCommand {
  static override summary = 'Stop and disable the Airut systemd service and remove its unit.';

  static override description = `Stops airut.service (running tasks get execution.shutdown_timeout to finish), disables it, removes the unit file and reloads systemd. Without a unit there is nothing to do, and it says so. Stop and disable failures are reported but do not keep the unit. Prints each step.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'sudo <%= config.bin %> <%= command.id %> --system',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    system: Flags.boolean({ description: 'Remove the system unit (needs root) instead of the user unit.', default: false }),
  };

  static override exitCodes = {
    '0': 'The unit is gone (or was never installed).',
    '1': 'systemctl is missing or reloading systemd failed.',
  };

  static override files = {
    '~/.config/systemd/user/airut.service': 'The user unit removed.',
    '/etc/systemd/system/airut.service': 'The system unit removed with --system.',
  };

  async run(): Promise<UninstallResult> {
    const { flags } = await this.parse(UninstallService);
    const { runProcess, uninstallService } = await import('../core/installation/index.js');
    return uninstallService({
      scope: flags.system ? 'system' : 'user',
      runner: runProcess,
      env: process.env,
      home: homedir(),
      report: (line) => { if (!this.jsonEnabled()) this.log(line); },
    });
  }
}
