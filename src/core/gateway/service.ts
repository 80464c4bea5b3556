import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox } from '../../sandbox/sandbox.js';
import { ContainerRuntime } from '../../sandbox/runtime/index.js';
import { configPaths, loadConfig, type AirutPaths, type RepoConfig } from '../config/index.js';
import { gatewaySource, startDashboard, type Dashboard } from '../dashboard/index.js';
import type { Logger } from '../log/index.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { resolveDashboardAddress } from './dashboard-address.js';
import { GatewayError } from './error.js';
import { startHousekeeping, type Housekeeping } from './housekeeping.js';
import { MessageLedger } from './message-ledger.js';
import { configSecrets, type Redactor } from './redactor.js';
import { RepoHandler, type GatewayRunEvent } from './repo-handler.js';
import { defaultChannels, repoSettings, repoStorage, type ChannelFactory } from './repo-wiring.js';
import { SandboxTaskRunner } from './sandbox-task-runner.js';
import type { TaskRunner } from './task-runner.js';
import { TaskTracker } from './task-tracker.js';

/** Makes the task runner of one repo; the default runs tasks in the sandbox. */
export type RunnerFactory = (repoId: string, repo: RepoConfig, context: { sandbox: Sandbox; mirror: RepoStorage['mirror'] }) => TaskRunner;

type RepoStorage = ReturnType<typeof repoStorage>;

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
  /** Channels of each repo. Default: email from the config. */
  channels?: ChannelFactory;
  /** Task runner of each repo. Default: the sandbox. */
  runner?: RunnerFactory;
  /** Root of the installed package (the proxy program is run from it). */
  packageRoot?: string;
  /** Told about every event of every task (the dashboard's live view). */
  onRunEvent?: (event: GatewayRunEvent) => void;
}

/** The running service. */
export interface Service {
  /** The dashboard's base URL, or undefined when it is disabled. */
  dashboardUrl: string | undefined;
  /** Tasks of every repo. */
  tracker: TaskTracker;
  /** Re-reads the config; an invalid file keeps the running config and is reported. */
  reload(): Promise<void>;
  /**
   * Stops taking messages, lets running tasks finish up to
   * `execution.shutdown_timeout`, interrupts the rest, and closes everything.
   */
  stop(): Promise<void>;
}

interface RunningRepo {
  id: string;
  handler: RepoHandler;
  storage: RepoStorage;
  sandbox: Sandbox | undefined;
}

interface FailedRepo {
  id: string;
  error: string;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The prefix of the service's containers, networks and images. */
export const SERVICE_RESOURCE_PREFIX = 'airut';

/**
 * Starts the service: loads and validates the config (a ConfigError rejects
 * before anything listens), brings up the dashboard, then the sandbox (orphans
 * of a dead predecessor removed) and one handler per repo with its channels.
 * A repo that fails to start is logged and skipped; when every configured repo
 * fails, start fails.
 */
export async function startService(options: ServiceOptions): Promise<Service> {
  const { logger } = options;
  let loaded = await loadConfig({ path: options.configPath, env: options.env });
  options.redactor?.add(...configSecrets(loaded.config));
  logger.info(loaded.exists ? 'config loaded' : 'no config file; starting with defaults and no repos', {
    path: loaded.path,
    repos: Object.keys(loaded.config.repos).length,
  });

  const repos: RunningRepo[] = [];
  // The tracker reports changes to the dashboard feed, which reads the tracker: the callback only runs once both exist.
  const tracker = new TaskTracker({ onChange: (task) => dashboardFeed.taskChanged(task) });
  const dashboardFeed = gatewaySource({
    version: options.version,
    tracker,
    config: () => loaded,
    repos: () => Object.keys(loaded.config.repos).map((id) => ({ id, channels: repos.find((r) => r.id === id)?.handler.channelStates() ?? [] })),
  });
  dashboardFeed.configLoaded();
  const failed: FailedRepo[] = [];
  let dashboard: Dashboard | undefined;
  if (loaded.config.dashboard.enabled !== false) {
    const address = resolveDashboardAddress(options.dashboard, loaded.config.dashboard);
    if (address.exposed) {
      logger.warn('dashboard is bound beyond loopback; anyone who can reach this address can see and control tasks', { host: address.host });
    }
    dashboard = await startDashboard({ host: address.host, port: address.port, source: dashboardFeed.source });
    logger.info('dashboard listening', { url: dashboard.url });
  }

  const paths = options.paths ?? configPaths(options.env);
  const { execution } = loaded.config;
  const limit = new ConcurrencyLimit(execution.max_concurrent);
  const runtime = new ContainerRuntime({ command: execution.container_command, env: execution.container_env });
  const newSandbox = (repo: RepoConfig | undefined): Sandbox => new Sandbox({
    runtime,
    resourcePrefix: SERVICE_RESOURCE_PREFIX,
    stateDir: paths.stateDir,
    cacheDir: join(paths.cacheDir, 'claude'),
    maxImageAgeHours: execution.max_image_age_hours,
    env: options.env,
    ...(execution.claude_binary === undefined ? {} : { claudeBinaryPath: execution.claude_binary }),
    ...(repo === undefined ? {} : { claudeVersion: repo.claude_version }),
  });

  const repoEntries = Object.entries(loaded.config.repos);
  if (repoEntries.length > 0 && options.runner === undefined) {
    const report = await newSandbox(undefined).startup();
    if (report.containers.length + report.networks.length > 0) {
      logger.info('removed what a previous run left behind', { containers: report.containers.length, networks: report.networks.length });
    }
  }

  for (const [id, repo] of repoEntries) {
    const log = logger.child({ repo: id });
    try {
      const storage = repoStorage(paths.stateDir, id, repo);
      const sandbox = options.runner === undefined ? newSandbox(repo) : undefined;
      const runner = options.runner?.(id, repo, { sandbox: sandbox ?? newSandbox(repo), mirror: storage.mirror })
        ?? new SandboxTaskRunner({
          repoId: id,
          repo,
          sandbox: sandbox ?? newSandbox(repo),
          mirror: storage.mirror,
          network: {
            runtime,
            resourcePrefix: SERVICE_RESOURCE_PREFIX,
            caDir: join(paths.dataDir, 'ca'),
            packageRoot: options.packageRoot ?? PACKAGE_ROOT,
            tmpDir: tmpdir(),
            subnetPool: loaded.config.network.subnet_pool,
            upstreamHosts: loaded.config.network.upstream_hosts,
            ...optional('egressNetwork', loaded.config.network.egress_network),
            ...optional('upstreamDns', loaded.config.network.upstream_dns),
            ...optional('upstreamCaFile', loaded.config.network.upstream_ca_file),
            ...optional('proxyBaseImage', loaded.config.network.proxy_base_image),
          },
        });
      const channels = (options.channels ?? defaultChannels)(id, repo, {
        repoStateDir: storage.repoStateDir,
        logger: log,
        onRejected: (rejected) => log.warn('message rejected', { kind: rejected.kind, reason: rejected.reason, sender: rejected.sender, message_id: rejected.messageId }),
      });
      if (channels.length === 0) log.warn('repo has no channel this version can serve');
      const handler = new RepoHandler({
        repoId: id,
        settings: repoSettings(repo, loaded.config),
        store: storage.store,
        mirror: storage.mirror,
        runner,
        ledger: await MessageLedger.open(join(storage.repoStateDir, 'messages.jsonl')),
        channels,
        limit,
        tracker,
        logger,
        onRunEvent: (event) => {
          dashboardFeed.runEvent(event);
          options.onRunEvent?.(event);
        },
      });
      await handler.start();
      repos.push({ id, handler, storage, sandbox });
      log.info('repo started', { channels: channels.map((c) => c.kind).join(',') });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failed.push({ id, error: message });
      log.error('repo failed to start', { error: message });
    }
  }
  if (repoEntries.length > 0 && repos.length === 0) {
    await dashboard?.close();
    throw new GatewayError('GATEWAY_ALL_REPOS_FAILED', `all ${repoEntries.length} repo(s) failed to start: ${failed.map((f) => `${f.id} (${f.error})`).join('; ')}`, {
      hint: 'Check each repo_url, the channel credentials and that podman works (airut check).',
      exitCode: 2,
    });
  }
  logger.info('service ready', { repos: repos.length, failed: failed.length });

  const housekeeping: Housekeeping = startHousekeeping(async () => {
    const maxAge = loaded.config.execution.conversation_max_age_days;
    for (const repo of repos) {
      const removed = await repo.storage.store.removeExpired(maxAge, new Set(repo.handler.runningConversations()));
      for (const r of removed) logger.info('conversation removed', { repo: repo.id, conversation: r.id, age_days: r.ageDays.toFixed(1) });
    }
    if (loaded.config.execution.image_prune && repos.length > 0) {
      const pruned = await newSandbox(undefined).pruneImages();
      if (pruned > 0) logger.info('old images removed', { images: pruned });
    }
  }, { logger });

  let stopping: Promise<void> | undefined;
  return {
    dashboardUrl: dashboard?.url,
    tracker,
    async reload() {
      try {
        const next = await loadConfig({ path: options.configPath, env: options.env });
        options.redactor?.add(...configSecrets(next.config));
        loaded = next;
        limit.resize(next.config.execution.max_concurrent);
        for (const repo of repos) {
          const config = next.config.repos[repo.id];
          if (config !== undefined) repo.handler.updateSettings(repoSettings(config, next.config));
        }
        const added = Object.keys(next.config.repos).filter((id) => !repos.some((r) => r.id === id));
        const removed = repos.filter((r) => next.config.repos[r.id] === undefined).map((r) => r.id);
        if (added.length + removed.length > 0) {
          logger.warn('repos were added or removed; restart the service to apply that', { added: added.join(','), removed: removed.join(',') });
        }
        logger.info('config reloaded', { path: next.path, repos: Object.keys(next.config.repos).length });
        dashboardFeed.configLoaded();
      } catch (error) {
        logger.error('config reload failed; keeping the running config', { error: (error as Error).message });
        dashboardFeed.reloadFailed((error as Error).message);
      }
    },
    stop() {
      stopping ??= (async () => {
        const timeoutMs = loaded.config.execution.shutdown_timeout * 1000;
        const busy = tracker.counts().running;
        if (busy > 0) logger.info('waiting for running tasks', { running: busy, timeout_s: loaded.config.execution.shutdown_timeout });
        await Promise.all(repos.map((r) => r.handler.stop(timeoutMs)));
        await housekeeping.stop();
        for (const repo of repos) await repo.sandbox?.shutdown();
        await dashboard?.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
