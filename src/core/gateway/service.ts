import { join } from 'node:path';
import { ClaudeBinaryCache, ContainerRuntime } from '../../sandbox/index.js';
import { ConfigError, configPaths, loadConfig, type AirutPaths, type LoadedConfig, type ServerConfig } from '../config/index.js';
import { ConversationHistory, type DashboardEvent, type DashboardSource } from '../dashboard/index.js';
import { gatewaySource } from './dashboard-source.js';
import type { Logger } from '../log/index.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { diffConfig, sameRuntime } from './config-diff.js';
import { watchConfigFile, type ConfigWatcher } from './config-watcher.js';
import { fallbackConfig } from './fallback-config.js';
import { startHousekeeping, type Housekeeping, type HousekeepingTimers } from './housekeeping.js';
import { housekeepingPass } from './housekeeping-pass.js';
import { configSecrets, type Redactor } from './redactor.js';
import type { GatewayRunEvent } from './repo-handler.js';
import { serviceSandbox, type RepoRuntimeContext, type RunnerFactory, type ServerScope } from './repo-runtime.js';
import { RepoSupervisor } from './repo-supervisor.js';
import { defaultChannels, repoSettings, type ChannelFactory } from './repo-wiring.js';
import { ServiceDashboard } from './service-dashboard.js';
import { RejectedLog } from './rejected-log.js';
import { ServiceStatus } from './service-status.js';
import { TaskTracker } from './task-tracker.js';
import { serverZone } from '../scheduler/index.js';
import { scheduleView } from './schedule-view.js';

export { SERVICE_RESOURCE_PREFIX, type RunnerFactory } from './repo-runtime.js';

/** What `airut serve` needs to start. */
export interface ServiceOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  version: string;
  dashboard: { host?: string; port?: number };
  /** Registers config secrets so no log line shows them. */
  redactor?: Redactor;
  /** XDG directories. Default: from `env`. */
  paths?: AirutPaths;
  /** Channels of each repo. Default: email and Slack from the config. */
  channels?: ChannelFactory;
  /** Task runner of each repo. Default: the sandbox. */
  runner?: RunnerFactory;
  /** Root of the installed package (the proxy program is run from it). */
  packageRoot?: string;
  /** Told about every event of every task (the dashboard's live view). */
  onRunEvent?: (event: GatewayRunEvent) => void;
  /** Reload when the config file changes on disk (from when the service is ready). Default false. */
  watchConfig?: boolean;
  /** Quiet time that ends a burst of file events before a reload. Default 100 ms. */
  watchDebounceMs?: number;
  /** Wait before start attempt `failures + 1` of a failed repo. Default: 5 s doubling up to 5 min. */
  retryDelayMs?: (failures: number) => number;
  /** How long a channel that had connected may be down before `/api/health` says so. Default 60 s. */
  channelGraceMs?: number;
  /**
   * The clock schedules fire by, and how often at most it is looked at
   * (ms). A test hook: the default is the system clock, looked at least once a minute.
   */
  scheduleClock?: { now: () => Date; maxSleepMs: number };
  /** The timers housekeeping passes are scheduled with (a test hook; default Node's). */
  housekeepingTimers?: HousekeepingTimers;
}

/** The running service. */
export interface Service {
  /** The dashboard's base URL, or undefined when it is disabled. */
  readonly dashboardUrl: string | undefined;
  /** Tasks of every repo. */
  tracker: TaskTracker;
  /** Repos and health as the dashboard shows them. */
  status: ServiceStatus;
  /**
   * Re-reads the config and applies it by scope (see {@link startService});
   * an invalid file keeps the running config and is reported. Reloads run one
   * at a time; the promise settles once added repos have started.
   */
  reload(): Promise<void>;
  /**
   * Stops taking messages, lets running tasks finish up to
   * `execution.shutdown_timeout`, interrupts the rest, and closes everything.
   */
  stop(): Promise<void>;
}

/**
 * Starts the service: loads and validates the config, brings up the
 * dashboard, then the sandbox (orphans of a dead predecessor removed) and one
 * handler per repo with its channels. It stays up to be fixed: a config that
 * does not load runs the built-in defaults (no repos, the default dashboard)
 * until a reload loads it, and a repo that fails to start is logged, shown
 * on the dashboard and retried with backoff (and on every reload). Only a
 * dashboard that cannot listen rejects the start.
 *
 * A reload (SIGHUP, or a change of the file with `watchConfig`) applies what
 * changed by scope: an added repo starts at once; a removed repo takes no new
 * messages and stops when its running tasks end; a repo whose block changed
 * restarts once it is idle; `max_concurrent` and the values read on use take
 * effect at once; other `execution`, `network` and `dashboard` changes wait
 * until no task runs anywhere. A failed repo is retried on every reload.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { logger } = options;
  /** Why the file did not load at start (nothing configured runs until it does); cleared by a good reload. */
  let startProblem: string | undefined;
  /** Why the last reload was refused (the previous config runs on). */
  let reloadProblem: string | undefined;
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig({ path: options.configPath, env: options.env });
    logger.info(loaded.exists ? 'config loaded' : 'no config file; starting with defaults and no repos', {
      path: loaded.path,
      repos: Object.keys(loaded.config.repos).length,
    });
  } catch (error) {
    // The operator fixes the file in the editor or on disk, and a reload starts the repos: stay up for that.
    if (!(error instanceof ConfigError)) throw error;
    loaded = fallbackConfig(options.configPath, error.hash);
    startProblem = error.message;
    logger.error('config did not load; the dashboard stays up so it can be fixed, and no repo runs until it loads', { path: options.configPath, error: describe(error) });
  }
  /** SHA-256 of the file last read, valid or not (what `/api/status` reports). */
  let fileHash = loaded.hash;
  options.redactor?.add(...configSecrets(loaded.config));
  let stopping: Promise<void> | undefined;
  /** Server settings waiting for the service to be idle (the latest reload wins). */
  let pendingServer: ServerConfig | undefined;
  let applyingServer: Promise<void> | undefined;

  // The tracker reports changes to the dashboard feed, which reads the tracker and the repos: the callbacks only run once all exist.
  const tracker = new TaskTracker({ onChange: (task) => dashboardFeed.taskChanged(task) });
  const dashboardFeed = gatewaySource({
    version: options.version,
    tracker,
    config: () => ({ path: loaded.path, exists: loaded.exists, hash: fileHash }),
    repos: () => status.repos(),
    stop: (taskId) => Promise.resolve(supervisor.running().some((repo) => repo.handler.stopTask(taskId))),
    runSchedule: async (repoId, name) => (await supervisor.get(repoId)?.scheduler.runNow(name)) ?? 'unknown',
    holdRouter: (repoId) => supervisor.get(repoId)?.holds,
    history: new ConversationHistory({ stateDir: (options.paths ?? configPaths(options.env)).stateDir, repoIds: () => supervisor.ids() }),
    logger,
  });
  if (startProblem === undefined) dashboardFeed.configLoaded();
  else dashboardFeed.reloadFailed(startProblem);
  const repoListeners = new Set<(event: DashboardEvent) => void>();
  const source: DashboardSource = {
    ...dashboardFeed.source,
    health: () => status.health(),
    subscribe: (listener) => {
      const unsubscribe = dashboardFeed.source.subscribe(listener);
      repoListeners.add(listener);
      return () => {
        unsubscribe();
        repoListeners.delete(listener);
      };
    },
  };
  const dashboard = new ServiceDashboard({ flags: options.dashboard, source, logger });
  const rejectedLog = new RejectedLog();

  const paths = options.paths ?? configPaths(options.env);
  const limit = new ConcurrencyLimit(loaded.config.execution.max_concurrent);
  let scope = scopeOf(loaded.config);
  const context: RepoRuntimeContext = {
    paths,
    env: options.env,
    logger,
    limit,
    tracker,
    channels: options.channels ?? defaultChannels,
    ...(options.runner === undefined ? {} : { runner: options.runner }),
    ...(options.packageRoot === undefined ? {} : { packageRoot: options.packageRoot }),
    onRunEvent: (event) => {
      dashboardFeed.runEvent(event);
      options.onRunEvent?.(event);
    },
    settings: (repo) => repoSettings(repo, loaded.config),
    dashboardOn: () => loaded.config.dashboard.enabled !== false,
    onRejected: (repoId, rejected, channel) => {
      rejectedLog.add(repoId, rejected, channel);
      status.refresh();
    },
    schedules: {
      defaultZone: serverZone({ env: options.env }),
      ...(options.scheduleClock === undefined ? {} : { clock: options.scheduleClock.now, maxSleepMs: options.scheduleClock.maxSleepMs }),
    },
  };
  const supervisor = new RepoSupervisor({
    context,
    scope: () => scope,
    shutdownTimeoutMs: () => loaded.config.execution.shutdown_timeout * 1000,
    onChange: () => status.refresh(),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    ...(options.runner === undefined ? {
      beforeFirstStart: async () => {
        const report = await serviceSandbox(scope, context).startup();
        if (report.containers.length + report.networks.length > 0) {
          logger.info('removed what a previous run left behind', { containers: report.containers.length, networks: report.networks.length });
        }
      },
    } : {}),
  });

  const status = new ServiceStatus({
    version: options.version,
    supervisor,
    rejected: rejectedLog,
    counts: () => tracker.counts(),
    configProblem: () => startProblem !== undefined ? { when: 'start', message: startProblem }
      : reloadProblem !== undefined ? { when: 'reload', message: reloadProblem } : undefined,
    serverPending: () => pendingServer !== undefined,
    schedules: (repoId) => supervisor.get(repoId)?.scheduler.list().map(scheduleView),
    ...(options.channelGraceMs === undefined ? {} : { channelGraceMs: options.channelGraceMs }),
    onRepoChange: (repo) => {
      for (const listener of repoListeners) listener({ type: 'repo', repo });
    },
  });
  // Channel states change inside the channels; look at them often enough for the live views.
  const statusTimer = setInterval(() => status.refresh(), 1000);
  statusTimer.unref();

  // The dashboard comes up first and stays up whatever the repos do: it is where they are fixed.
  await dashboard.apply(loaded.config.dashboard);
  const configured = Object.keys(loaded.config.repos).length;
  await supervisor.configure(loaded.config.repos);
  const failed = supervisor.failed();
  if (configured > 0 && supervisor.running().length === 0) {
    logger.error('no repo could start; the service stays up, retries them with backoff, and starts them once the config is fixed', {
      failed: failed.map((f) => `${f.id} (${f.error})`).join('; '),
    });
  }
  logger.info('service ready', { repos: supervisor.running().length, failed: failed.length });

  const housekeeping: Housekeeping = startHousekeeping(housekeepingPass({
    repos: () => supervisor.running().map((repo) => ({
      id: repo.id,
      store: repo.storage.store,
      handler: repo.handler,
      claudeVersion: repo.repo.claude_version,
      claudeBinaryInUse: () => repo.claudeBinaryInUse(),
    })),
    settings: () => ({ conversationMaxAgeDays: loaded.config.execution.conversation_max_age_days, imagePrune: loaded.config.execution.image_prune }),
    pruneImages: () => serviceSandbox(scope, context).pruneImages(),
    claudeCache: new ClaudeBinaryCache({ cacheDir: join(paths.cacheDir, 'claude'), env: options.env }),
    logger,
  }), { logger, ...(options.housekeepingTimers === undefined ? {} : { timers: options.housekeepingTimers }) });

  const applyServerWhenIdle = (): void => {
    if (applyingServer !== undefined) return;
    applyingServer = (async () => {
      while (pendingServer !== undefined && stopping === undefined) {
        if (!supervisor.isIdle()) logger.info('server settings change pending until no task runs');
        await supervisor.whenIdle();
        const next = pendingServer;
        if (next === undefined || stopping !== undefined) break;
        pendingServer = undefined;
        await applyServer(next);
      }
    })().finally(() => {
      applyingServer = undefined;
      // A reload may have queued new settings as the loop was ending.
      if (pendingServer !== undefined && stopping === undefined) applyServerWhenIdle();
    });
  };

  /** Switches to `next`'s server settings: every repo restarts (each once idle) when the runtime changed; the dashboard moves when its address did. */
  const applyServer = async (next: ServerConfig): Promise<void> => {
    if (!sameRuntime(scope.config, next)) {
      scope = scopeOf(next);
      supervisor.rescope();
    }
    await dashboard.apply(next.dashboard).catch((error: unknown) => {
      logger.error('dashboard could not move to its new address', { error: describe(error) });
    });
    logger.info('server settings applied');
  };

  const reloadOnce = async (): Promise<void> => {
    if (stopping !== undefined) return;
    let next: typeof loaded;
    try {
      next = await loadConfig({ path: options.configPath, env: options.env });
    } catch (error) {
      if (error instanceof ConfigError && error.hash !== undefined) fileHash = error.hash;
      const message = error instanceof Error ? error.message : String(error);
      if (startProblem === undefined) {
        reloadProblem = message;
        logger.error('config reload failed; keeping the running config', { error: describe(error) });
      } else {
        startProblem = message;
        logger.error('config still does not load; no repo runs until it does', { error: describe(error) });
      }
      dashboardFeed.reloadFailed(message);
      return;
    }
    if (!next.exists && loaded.exists) {
      logger.warn('config file is gone; keeping the running config', { path: next.path });
      return;
    }
    options.redactor?.add(...configSecrets(next.config));
    const changes = diffConfig(loaded.config, next.config);
    loaded = next;
    fileHash = next.hash;
    startProblem = undefined;
    reloadProblem = undefined;
    limit.resize(next.config.execution.max_concurrent);
    for (const repo of supervisor.running()) {
      const config = next.config.repos[repo.id];
      if (config !== undefined) repo.handler.updateSettings(repoSettings(config, next.config));
    }
    const serverChanged = !sameRuntime(scope.config, next.config) || dashboard.differs(next.config.dashboard);
    pendingServer = undefined;
    if (serverChanged && applyingServer === undefined && supervisor.isIdle()) {
      // Nothing runs: apply now, so that added repos start with the new settings.
      await applyServer(next.config);
    } else if (serverChanged) {
      pendingServer = next.config;
      applyServerWhenIdle();
    }
    await supervisor.configure(next.config.repos);
    dashboardFeed.configLoaded();
    logger.info('config reloaded', {
      generation: dashboardFeed.source.configStatus().generation,
      added: changes.added.join(','),
      removed: changes.removed.join(','),
      changed: changes.changed.join(','),
      applied_now: changes.live.join(','),
      server: [...changes.runtime, ...changes.dashboard].join(','),
      server_pending: pendingServer !== undefined,
      failed: supervisor.failed().map((f) => f.id).join(','),
    });
  };

  let reloading: Promise<void> = Promise.resolve();
  /** Queues a reload; with `unlessLoaded`, none when the service already runs a file with that hash by its turn. */
  const reload = (unlessLoaded?: string): Promise<void> => {
    reloading = reloading.then(() => {
      if (unlessLoaded === undefined || unlessLoaded !== fileHash) return reloadOnce();
      logger.debug('config file change already loaded', { hash: unlessLoaded });
      return undefined;
    }).catch((error: unknown) => {
      logger.error('config reload failed unexpectedly', { error: describe(error) });
    });
    return reloading;
  };

  let watcher: ConfigWatcher | undefined;
  if (options.watchConfig === true) {
    watcher = watchConfigFile({
      path: loaded.path,
      knownHash: loaded.hash,
      // A SIGHUP may already have loaded these bytes (an edit, then `systemctl reload`): one reload, not two.
      onChange: (hash) => reload(hash),
      onError: (error) => logger.warn('config file watcher', { error: error.message }),
      ...(options.watchDebounceMs === undefined ? {} : { debounceMs: options.watchDebounceMs }),
    });
    await watcher.ready;
    logger.info('config file watcher started', { path: loaded.path, directory: watcher.watching });
  }

  return {
    get dashboardUrl() {
      return dashboard.url;
    },
    tracker,
    status,
    reload: () => reload(),
    stop() {
      stopping ??= (async () => {
        watcher?.close();
        clearInterval(statusTimer);
        await reloading;
        const timeoutMs = loaded.config.execution.shutdown_timeout * 1000;
        const busy = tracker.counts().running;
        if (busy > 0) logger.info('waiting for running tasks', { running: busy, timeout_s: loaded.config.execution.shutdown_timeout });
        await supervisor.stop(timeoutMs);
        await applyingServer;
        await housekeeping.stop();
        await dashboard.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

function scopeOf(config: ServerConfig): ServerScope {
  return { config, runtime: new ContainerRuntime({ command: config.execution.container_command, env: config.execution.container_env }) };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
