import { Flags } from '@oclif/core';
import { AirutCommand } from '../core/cli/index.js';

export default class Serve extends AirutCommand {
  static override summary = 'Run the Airut service in the foreground (what the systemd unit runs).';

  static override description = `Loads and validates the configuration, serves the web dashboard (by default on http://127.0.0.1:5200), then starts the sandbox and, for every configured repository, its channels: each authorized message becomes a Claude Code task in a container, answered in the same thread. With no configuration file, it starts with no repositories and the dashboard shows how to configure one.

Logs go to standard output, one line per event, with configured secrets redacted. SIGTERM or SIGINT stops taking messages, lets running tasks finish for up to execution.shutdown_timeout seconds, interrupts the rest (their users are told) and exits 0; SIGHUP reloads the configuration at once.

The configuration file is watched (through its directory, so a file saved in place, renamed over the old one, or created after the start is seen) and every change is applied without a restart: an added repository starts at once; a removed one takes no new messages and stops when its running tasks end; a repository whose settings changed (channel credentials included) restarts once it has no task, and only that one; execution.max_concurrent applies at once; other execution, network and dashboard settings wait until no task runs anywhere. An invalid file keeps the running configuration: the error is logged and shown in the dashboard and in /api/status.

The service stays up to be fixed: a configuration that does not load at start (invalid or unreadable) leaves the dashboard running on its address from the flags or the defaults, with the config editor and the error, and no repository runs until the file loads; a repository that fails to start (an unreachable repo_url, a refused token) is logged, shown on its dashboard page with the error, and tried again with backoff (5 seconds, doubling up to 5 minutes) and on every reload. /api/health says ok, degraded (naming each failing repository or channel and why) or error (HTTP 503, when nothing configured works). Under systemd (airut install-service), the unit therefore keeps running while the operator fixes the configuration from the browser or the file; it exits non-zero only when the dashboard cannot listen, and Restart=on-failure tries again.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --config ./airut.yaml --dashboard-port 5300',
  ];

  static override flags = {
    config: Flags.string({ description: 'Path of the server configuration file.', env: 'AIRUT_CONFIG', helpValue: 'FILE' }),
    'dashboard-host': Flags.string({ description: 'Address the dashboard binds to (overrides dashboard.host).', env: 'AIRUT_DASHBOARD_HOST', helpValue: 'HOST' }),
    'dashboard-port': Flags.integer({ description: 'Port of the dashboard (overrides dashboard.port).', env: 'AIRUT_DASHBOARD_PORT', min: 0, max: 65535, helpValue: 'PORT' }),
    // Test hook: schedules fire by the ISO time written in this file, looked at every 100 ms.
    'schedule-clock-file': Flags.string({ hidden: true, helpValue: 'FILE' }),
  };

  static override exitCodes = {
    '0': 'Stopped by SIGTERM or SIGINT after a clean shutdown.',
    '1': 'The dashboard could not listen (other than a taken address).',
    '3': 'The dashboard address is already in use.',
  };

  static override environment = {
    AIRUT_CONFIG: 'Path of the configuration file (same as --config).',
    AIRUT_DASHBOARD_HOST: 'Same as --dashboard-host.',
    AIRUT_DASHBOARD_PORT: 'Same as --dashboard-port.',
  };

  static override files = {
    '~/.config/airut/airut.yaml': 'The configuration: read at start, on SIGHUP and whenever the file changes.',
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const { resolveConfigPath } = await import('../core/config/index.js');
    const { Redactor, startService } = await import('../core/gateway/index.js');
    const { formatLogRecord, Logger } = await import('../core/log/index.js');
    const { fileClock } = await import('../core/scheduler/index.js');
    const redactor = new Redactor();
    const logger = new Logger(redactor.sink((record) => process.stdout.write(`${formatLogRecord(record)}\n`)));
    let stopping = false;
    let signalled: () => void = () => undefined;
    const signalReceived = new Promise<void>((resolve) => { signalled = resolve; });
    // The handlers are installed before the service starts, so a SIGTERM or
    // SIGINT during the start (the dashboard is already up while repositories
    // start) stops it cleanly once started instead of killing the process.
    // They stay installed until the shutdown is over: a second signal
    // must not kill the process while running tasks are being answered.
    const onStop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.info('already shutting down; waiting for running tasks', { signal });
        return;
      }
      stopping = true;
      logger.info('signal received, shutting down', { signal });
      signalled();
    };
    // Set once the service is up; a SIGHUP before that has nothing to reload.
    let service: Awaited<ReturnType<typeof startService>> | undefined;
    const onReload = (): void => {
      void service?.reload();
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onReload);
    try {
      service = await startService({
        redactor,
        configPath: resolveConfigPath({ flag: flags.config, env: process.env }),
        env: process.env,
        logger,
        version: this.config.version,
        dashboard: { host: flags['dashboard-host'], port: flags['dashboard-port'] },
        watchConfig: true,
        ...(flags['schedule-clock-file'] === undefined ? {} : { scheduleClock: { now: fileClock(flags['schedule-clock-file']), maxSleepMs: 100 } }),
      });
      await signalReceived;
      process.off('SIGHUP', onReload);
      await service.stop();
    } finally {
      process.off('SIGHUP', onReload);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
    }
  }
}
