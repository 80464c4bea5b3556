import { randomBytes } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { ClaudeBinaryCache, defaultClaudeCacheDir, type ClaudeVersionRequest, type ProgressCallback } from './claude/binary/index.js';
import { ImageCache, type ContextFiles, type EnsureImageOptions } from './image/index.js';
import { ContainerRuntime, removeOrphans, type OrphanReport, type ProcessProbe } from './runtime/index.js';
import { AgentTask, CommandTask, type Mount, type ResourceLimits, type TaskNetwork } from './task/index.js';

/** How a {@link Sandbox} is set up. Every field has a production default. */
export interface SandboxOptions {
  /** The container engine. Default: `podman` from PATH. */
  runtime?: ContainerRuntime;
  /**
   * Names and labels every container, network and image of this instance, so
   * two instances (the gateway and the CLI) never touch each other's. Default `airut`.
   */
  resourcePrefix?: string;
  /** Where the image build lock lives. Default: `$XDG_STATE_HOME/airut` (or `~/.local/state/airut`). */
  stateDir?: string;
  /** Root of the Claude Code binary cache. Default: `$XDG_CACHE_HOME/airut/claude`. */
  cacheDir?: string;
  /** Use this Claude Code binary instead of the cache. */
  claudeBinaryPath?: string;
  /** Claude Code version to take from the cache: `latest` (default), `stable` or an exact version. */
  claudeVersion?: ClaudeVersionRequest;
  /** Progress of a Claude Code download (bytes so far, total). */
  onClaudeDownloadProgress?: ProgressCallback;
  /** Rebuild images older than this; 0 rebuilds every time. Default 24. */
  maxImageAgeHours?: number;
  /** `--network` for image builds (e.g. `none` when the Dockerfile needs no downloads). Default: the engine's. */
  buildNetwork?: string;
  /** Where temporary build contexts go. Default: the OS temp dir. */
  tmpDir?: string;
  /** Environment the defaults are read from. Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory the defaults are derived from. Default: `os.homedir()`. */
  homedir?: string;
  /** Liveness check used to tell orphans from another live process's resources. */
  isAlive?: ProcessProbe;
}

/** What every task is created with. */
export interface CreateTaskOptions {
  /** Opaque id, unique among concurrent runs. Default: a fresh {@link newExecutionContextId}. */
  executionContextId?: string;
  /** Host directory for the run's state (Claude's home and `events.jsonl` for agent tasks). */
  executionContextDir: string;
  /** From {@link Sandbox.ensureImage}. */
  imageTag: string;
  mounts?: Mount[];
  /** Container environment variables. */
  env?: Record<string, string>;
  /** Wall-clock limit per run, >= 10 s. */
  timeoutSeconds?: number;
  resourceLimits?: ResourceLimits;
  /** A named network (`none`, ...) or a network sandbox. Default: the engine's default network. */
  network?: TaskNetwork;
}

/** Options of {@link Sandbox.createTask}. */
export interface CreateAgentTaskOptions extends CreateTaskOptions {
  /** Use this Claude Code binary for this task instead of the sandbox's. */
  claudeBinaryPath?: string;
}

/** A fresh execution context id: opaque, and unique per run. */
export function newExecutionContextId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * Runs Claude Code, or any command, in throw-away containers.
 *
 * ```ts
 * const sandbox = new Sandbox();
 * await sandbox.startup();
 * const imageTag = await sandbox.ensureImage(dockerfile, {});
 * const task = sandbox.createTask({ executionContextDir: dir, imageTag, mounts: [...] });
 * const result = await task.execute('Fix the failing tests');
 * if (result.outcome === 'success') use(result.responseText);
 * await sandbox.shutdown();
 * ```
 */
export class Sandbox {
  /** The engine every call goes through. */
  readonly runtime: ContainerRuntime;
  /** The resource prefix of this instance. */
  readonly resourcePrefix: string;
  private readonly options: SandboxOptions;
  private readonly stateDir: string;
  private readonly images: ImageCache;
  private readonly lifetime = new AbortController();
  private claudeBinary: Promise<string> | undefined;

  /** @throws ImageBuildError `IMAGE_MAX_AGE_INVALID` for a negative or non-numeric age. */
  constructor(options: SandboxOptions = {}) {
    this.options = options;
    this.runtime = options.runtime ?? new ContainerRuntime();
    this.resourcePrefix = options.resourcePrefix ?? 'airut';
    this.stateDir = options.stateDir ?? defaultStateDir(options.env ?? process.env, options.homedir ?? homedir());
    this.images = new ImageCache({
      runtime: this.runtime,
      prefix: this.resourcePrefix,
      lockDir: this.stateDir,
      maxImageAgeHours: options.maxImageAgeHours,
      buildNetwork: options.buildNetwork,
      tmpDir: options.tmpDir ?? tmpdir(),
      ...(options.isAlive ? { isAlive: options.isAlive } : {}),
    });
  }

  /**
   * Prepares the host: creates the state directory and removes containers and
   * networks of this prefix left behind by processes that died. Resources of
   * other prefixes, and of live processes, are left alone.
   */
  async startup(): Promise<OrphanReport> {
    await mkdir(this.stateDir, { recursive: true });
    return removeOrphans(this.runtime, this.resourcePrefix, this.options.isAlive);
  }

  /**
   * Stops every task of this instance that is still running (their
   * `execute` calls then return with `stopped`); later runs are refused.
   */
  shutdown(): Promise<void> {
    this.lifetime.abort();
    return Promise.resolve();
  }

  /**
   * Builds (or reuses) the image for a repository's Dockerfile and the flat
   * files beside it; returns the tag to pass to {@link createTask}. With
   * `passthrough` the image runs any command (for {@link createCommandTask}).
   */
  async ensureImage(dockerfile: string | Uint8Array, contextFiles: ContextFiles, options: EnsureImageOptions = {}): Promise<string> {
    await mkdir(this.stateDir, { recursive: true });
    return this.images.ensureImage(dockerfile, contextFiles, options);
  }

  /** Creates a Claude Code task. Nothing runs until `execute`. */
  createTask(options: CreateAgentTaskOptions): AgentTask {
    const { claudeBinaryPath, ...rest } = options;
    return new AgentTask({
      ...this.taskBase(rest),
      claudeBinary: claudeBinaryPath ?? (() => this.resolveClaudeBinary()),
    });
  }

  /** Creates a task running any command; its image needs `ensureImage(..., { passthrough: true })`. */
  createCommandTask(options: CreateTaskOptions): CommandTask {
    return new CommandTask(this.taskBase(options));
  }

  /** Removes this prefix's images older than the age limit; returns how many. */
  pruneImages(): Promise<number> {
    return this.images.pruneImages();
  }

  private taskBase(options: CreateTaskOptions) {
    return {
      ...options,
      executionContextId: options.executionContextId ?? newExecutionContextId(),
      runtime: this.runtime,
      prefix: this.resourcePrefix,
      signal: this.lifetime.signal,
    };
  }

  /**
   * The Claude Code binary this instance's tasks run, once the first of them
   * resolved it (it stays the same for the instance's life): housekeeping
   * must not remove it from the cache. Undefined before that, or when the
   * resolution failed.
   */
  async claudeBinaryInUse(): Promise<string | undefined> {
    if (this.options.claudeBinaryPath !== undefined) return this.options.claudeBinaryPath;
    return this.claudeBinary?.catch(() => undefined);
  }

  private resolveClaudeBinary(): Promise<string> {
    const { claudeBinaryPath, claudeVersion, cacheDir, env, onClaudeDownloadProgress } = this.options;
    if (claudeBinaryPath !== undefined) return Promise.resolve(claudeBinaryPath);
    this.claudeBinary ??= new ClaudeBinaryCache({
      cacheDir: cacheDir ?? defaultClaudeCacheDir(env ?? process.env, this.options.homedir ?? homedir()),
      ...(env ? { env } : {}),
    })
      .ensure(claudeVersion ?? 'latest', onClaudeDownloadProgress ? { onProgress: onClaudeDownloadProgress } : {})
      .then((found) => found.path);
    // A failed resolution (registry down) must not stick for the life of the instance.
    this.claudeBinary.catch(() => { this.claudeBinary = undefined; });
    return this.claudeBinary;
  }
}

function defaultStateDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const xdg = env.XDG_STATE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.local', 'state'), 'airut');
}
