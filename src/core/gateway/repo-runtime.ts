import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertNetworkBackend } from '../../sandbox/index.js';
import { Sandbox } from '../../sandbox/index.js';
import type { ContainerRuntime } from '../../sandbox/index.js';
import type { ChannelAdapter, ChannelKind } from '../channels/index.js';
import type { RejectedMail } from '../channels/email/index.js';
import type { AirutPaths, RepoConfig, ServerConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { holdPlaces, holdPromptsOf } from './hold-places.js';
import { HoldRouter } from './hold-router.js';
import { MessageLedger } from './message-ledger.js';
import { RepoHandler, type GatewayRunEvent, type RepoSettings } from './repo-handler.js';
import { repoStorage, type ChannelFactory } from './repo-wiring.js';
import { SandboxTaskRunner } from './sandbox-task-runner.js';
import { repoScheduler, type SchedulerSettings } from './repo-schedules.js';
import type { Scheduler } from '../scheduler/index.js';
import type { TaskRunner } from './task-runner.js';
import type { TaskTracker } from './task-tracker.js';

/** The storage of one repo: its state directory, conversations and git mirror. */
export type RepoStorage = ReturnType<typeof repoStorage>;

/** Makes the task runner of one repo; the default runs tasks in the sandbox. */
export type RunnerFactory = (repoId: string, repo: RepoConfig, context: { sandbox: Sandbox; mirror: RepoStorage['mirror'] }) => TaskRunner;

/** The prefix of the service's containers, networks and images. */
export const SERVICE_RESOURCE_PREFIX = 'airut';

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The server-wide settings repos are built with: the config whose
 * `execution` and `network` sections are in force, and its container engine.
 * A new scope (after a reload changed those sections) means every repo is
 * restarted once the service is idle.
 */
export interface ServerScope {
  config: ServerConfig;
  runtime: ContainerRuntime;
}

/** What every repo of one service shares. */
export interface RepoRuntimeContext {
  paths: AirutPaths;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** `execution.max_concurrent`, across repos. */
  limit: ConcurrencyLimit;
  tracker: TaskTracker;
  channels: ChannelFactory;
  /** Task runner of each repo. Default: the sandbox. */
  runner?: RunnerFactory;
  /** Root of the installed package (the proxy program is run from it). Default: this package. */
  packageRoot?: string;
  onRunEvent: (event: GatewayRunEvent) => void;
  /** Told about every message a channel refused (after it is logged). */
  onRejected?: (repoId: string, rejected: RejectedMail, channel: ChannelKind) => void;
  /** The settings of a repo's runs under the config in force now. */
  settings: (repo: RepoConfig) => RepoSettings;
  /** The clock and zone of the repos' schedules. */
  schedules: SchedulerSettings;
  /** Whether the dashboard is on now, so it may answer held requests. Default: off. */
  dashboardOn?: () => boolean;
}

/** A sandbox of the service (for one repo, or without a repo for orphan clean-up and image pruning). */
export function serviceSandbox(scope: ServerScope, context: Pick<RepoRuntimeContext, 'paths' | 'env'>, repo?: RepoConfig): Sandbox {
  const { execution } = scope.config;
  return new Sandbox({
    runtime: scope.runtime,
    resourcePrefix: SERVICE_RESOURCE_PREFIX,
    stateDir: context.paths.stateDir,
    cacheDir: join(context.paths.cacheDir, 'claude'),
    maxImageAgeHours: execution.max_image_age_hours,
    env: context.env,
    ...(execution.claude_binary === undefined ? {} : { claudeBinaryPath: execution.claude_binary }),
    ...(repo === undefined ? {} : { claudeVersion: repo.claude_version }),
  });
}

/**
 * One running repo: its storage, sandbox, task runner, channels and handler,
 * started and stopped as a unit so a reload can add, remove or restart a
 * single repo while the others keep working.
 */
export class RepoRuntime {
  private constructor(
    readonly id: string,
    /** The repo block this runtime was started from. */
    readonly repo: RepoConfig,
    readonly scope: ServerScope,
    readonly handler: RepoHandler,
    readonly storage: RepoStorage,
    private readonly sandbox: Sandbox | undefined,
    private readonly runner: TaskRunner,
    /** The repo's schedules (none when it has no `schedules:`). */
    readonly scheduler: Scheduler,
    /** The router of the repo's held requests; undefined when holds are off (`network.approval_hold_seconds` 0). */
    readonly holds: HoldRouter | undefined,
  ) {}

  /**
   * Builds the repo's parts, refreshes its mirror and starts its channels.
   * Rejects (with everything it started stopped again) when any step fails.
   */
  static async start(id: string, repo: RepoConfig, scope: ServerScope, context: RepoRuntimeContext): Promise<RepoRuntime> {
    const log = context.logger.child({ repo: id });
    const storage = repoStorage(context.paths.stateDir, id, repo);
    const sandbox = context.runner === undefined ? serviceSandbox(scope, context, repo) : undefined;
    const runner = context.runner?.(id, repo, { sandbox: sandbox ?? serviceSandbox(scope, context, repo), mirror: storage.mirror })
      ?? sandboxRunner(id, repo, scope, context, sandbox ?? serviceSandbox(scope, context, repo), storage);
    if (sandbox !== undefined && repo.network.sandbox_enabled && sandbox.runtime.kind === 'podman') {
      // A repo whose tasks could not get a proven network sandbox fails now, with the fix, instead of at its first message.
      await assertNetworkBackend(sandbox.runtime);
    }
    const made = await context.channels(id, repo, {
      repoStateDir: storage.repoStateDir,
      logger: log,
      onRejected: (rejected, channel) => {
        log.warn('message rejected', { channel, kind: rejected.kind, reason: rejected.reason, sender: rejected.sender, message_id: rejected.messageId });
        context.onRejected?.(id, rejected, channel);
      },
    });
    const channels = made.map(stopOnce);
    const holds = repo.network.approval_hold_seconds > 0 && runner.decide !== undefined
      ? new HoldRouter({ decide: (contextId, holdId, allow) => runner.decide?.(contextId, holdId, allow) ?? false, log })
      : undefined;
    if (channels.length === 0) log.warn('repo has no channel this version can serve');
    try {
      const handler = new RepoHandler({
        repoId: id,
        settings: context.settings(repo),
        store: storage.store,
        mirror: storage.mirror,
        runner,
        ledger: await MessageLedger.open(join(storage.repoStateDir, 'messages.jsonl')),
        channels,
        limit: context.limit,
        tracker: context.tracker,
        logger: context.logger,
        onRunEvent: context.onRunEvent,
        ...(holds !== undefined ? {
          holds: holdPlaces(holds, made.map(holdPromptsOf).find((prompts) => prompts !== undefined), log, context.dashboardOn),
        } : {}),
      });
      await handler.start();
      // Started with the repo and stopped with it: a reload that changes schedules restarts the repo, which rebuilds them.
      const scheduler = await repoScheduler(id, repo, handler, storage.repoStateDir, context.schedules, context.logger);
      await scheduler.start();
      log.info('repo started', { channels: channels.map((c) => c.kind).join(','), schedules: Object.keys(repo.schedules).length });
      return new RepoRuntime(id, repo, scope, handler, storage, sandbox, runner, scheduler, holds);
    } catch (error) {
      // The start error is the one to report; a channel that also fails to stop adds nothing to it.
      for (const channel of channels) await channel.stop().catch(() => undefined);
      await runner.close?.();
      await sandbox?.shutdown();
      throw error;
    }
  }

  /** The Claude Code binary this repo's tasks run (see `Sandbox.claudeBinaryInUse`); undefined before its first task. */
  claudeBinaryInUse(): Promise<string | undefined> {
    return this.sandbox?.claudeBinaryInUse() ?? Promise.resolve(undefined);
  }

  /** True when no task of this repo runs or waits. */
  isIdle(): boolean {
    return this.handler.isIdle();
  }

  /** Resolves once no task of this repo runs or waits. */
  whenIdle(): Promise<void> {
    return this.handler.whenIdle();
  }

  /**
   * Stops taking messages at once, lets running tasks finish for up to
   * `timeoutMs`, interrupts the rest, then closes the channels and the
   * sandbox. Calling it again with a shorter timeout shortens the wait.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.scheduler.stop();
    await this.handler.stop(timeoutMs);
    await this.scheduler.idle();
    await this.runner.close?.();
    await this.sandbox?.shutdown();
  }
}

function sandboxRunner(id: string, repo: RepoConfig, scope: ServerScope, context: RepoRuntimeContext, sandbox: Sandbox, storage: RepoStorage): TaskRunner {
  const { network } = scope.config;
  return new SandboxTaskRunner({
    repoId: id,
    repo,
    sandbox,
    mirror: storage.mirror,
    network: {
      runtime: scope.runtime,
      resourcePrefix: SERVICE_RESOURCE_PREFIX,
      caDir: join(context.paths.dataDir, 'ca'),
      packageRoot: context.packageRoot ?? PACKAGE_ROOT,
      tmpDir: tmpdir(),
      subnetPool: network.subnet_pool,
      upstreamHosts: network.upstream_hosts,
      ...optional('egressNetwork', network.egress_network),
      ...optional('upstreamDns', network.upstream_dns),
      ...optional('upstreamCaFile', network.upstream_ca_file),
      ...optional('proxyBaseImage', network.proxy_base_image),
      ...(Object.keys(scope.config.prices).length === 0 ? {} : { prices: scope.config.prices }),
    },
  });
}

/** The channel with a `stop` that runs once, however often it is called (a removal and a shutdown can overlap). */
function stopOnce(channel: ChannelAdapter): ChannelAdapter {
  let stopped: Promise<void> | undefined;
  return {
    kind: channel.kind,
    start: (onMessage) => channel.start(onMessage),
    stop: () => (stopped ??= channel.stop()),
    reply: (message, conversationId, reply) => channel.reply(message, conversationId, reply),
    complete: (message) => channel.complete(message),
    startThread: (thread) => channel.startThread(thread),
    state: () => channel.state(),
    ...(channel.progress === undefined ? {} : { progress: channel.progress.bind(channel) }),
    ...(channel.prune === undefined ? {} : { prune: channel.prune.bind(channel) }),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
