import { homedir } from 'node:os';
import { Flags } from '@oclif/core';
import { AirutCommand } from '../core/cli/index.js';
import type { DoctorReport } from '../core/doctor/index.js';

export default class Check extends AirutCommand {
  static override summary = 'Check that this host can run Airut: config, container runtime, git, service.';

  static override description = `Prints one line per check, grouped in sections: Version (installed, and the newest on the npm registry your npm uses), Configuration (the file parses and validates; the layout it declares, config_version, against the one this version knows; the .env beside it when there is one), Container runtime (podman 4.0 or newer or docker, podman's netavark network backend, a real throw-away container started without any registry, and whether memory/cpus/pids limits can apply), Git (2.25 or newer) and Service (the systemd user unit and, when it runs, the URL of its dashboard (dashboard.base_url, else its address); what the running service's /api/health says: ok, or degraded or error with each failing repository and why; and whether it runs the installed version, from its /api/version, so an update waiting for a restart shows).

Failing checks say how to fix them. When podman cannot start containers because of the host's cgroups or ulimits, the fix is a containers.conf to save. Only critical checks decide the exit code, so provisioning scripts can run it.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    '<%= config.bin %> <%= command.id %> --config ./airut.yaml',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    config: Flags.string({ description: 'Path of the server configuration file.', env: 'AIRUT_CONFIG', helpValue: 'FILE' }),
  };

  static override exitCodes = {
    '0': 'Every critical check passed (warnings and notes may remain).',
    '1': 'At least one critical check failed: the configuration, the container runtime or git.',
  };

  static override environment = {
    AIRUT_CONFIG: 'Path of the configuration file (same as --config).',
    CONTAINERS_CONF: 'containers.conf podman uses (also settable in execution.container_env).',
    npm_config_registry: 'npm registry asked for the newest version (else .npmrc, else registry.npmjs.org).',
    NO_COLOR: 'Disables colours in the human output.',
  };

  static override files = {
    '~/.config/airut/airut.yaml': 'The configuration checked.',
    '~/.config/systemd/user/airut.service': 'The service unit whose state is shown.',
    '/sys/fs/cgroup': 'Read to tell whether resource limits can apply.',
  };

  async run(): Promise<DoctorReport> {
    const { flags } = await this.parse(Check);
    const { formatReport, runChecks } = await import('../core/doctor/index.js');
    const report = await runChecks({
      env: process.env,
      home: homedir(),
      cwd: process.cwd(),
      configFlag: flags.config,
      installed: { name: this.config.name, version: this.config.version },
    });
    if (!this.jsonEnabled()) {
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
      process.stdout.write(formatReport(report, { color }));
    }
    if (!report.ok) process.exitCode = 1;
    return report;
  }
}
