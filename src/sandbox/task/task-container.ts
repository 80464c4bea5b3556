import { randomBytes } from 'node:crypto';
import { isAirutError } from '../error.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { planContainerRun } from './container-plan.js';
import { ContainerProcess, type ContainerExit } from './container-process.js';
import { TaskError } from './error.js';
import type { Mount } from './mount.js';
import type { NetworkAttachment, TaskNetwork } from './network-provider.js';
import { validateLimits, type ResourceLimits } from './resource-limits.js';

/** What every task (agent or command) is created with. */
export interface TaskOptions {
  runtime: ContainerRuntime;
  /** Resource prefix of the sandbox that created the task. */
  prefix: string;
  /** Opaque id, unique per concurrent run; names and labels the container. */
  executionContextId: string;
  /** Host directory for this context's state (Claude's home, events.jsonl). */
  executionContextDir: string;
  /** Overlay image tag from `ensureImage`. */
  imageTag: string;
  mounts?: readonly Mount[];
  /** Container environment variables. */
  env?: Readonly<Record<string, string>>;
  /** Wall-clock limit per run, >= 10 s. Default: none. */
  timeoutSeconds?: number;
  resourceLimits?: ResourceLimits;
  /** Named network or network sandbox; default: the engine's default network. */
  network?: TaskNetwork;
  /** Process id recorded on the container for orphan cleanup. */
  ownerPid?: number;
  /** Time between SIGTERM and forced removal on `stop()`. Default 5000 ms. */
  stopGraceMs?: number;
  /** Current time in ms. */
  now?: () => number;
  /** When aborted, a run in flight is stopped and new runs are refused (the sandbox's shutdown). */
  signal?: AbortSignal;
}

/** One run of a task's container. */
export interface ContainerRunRequest {
  command: readonly string[];
  input?: string;
  extraMounts?: readonly Mount[];
  /** Variables that win over the caller's. */
  forcedEnv?: Readonly<Record<string, string>>;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
}

interface InFlight {
  stopRequested: boolean;
  killRequested: boolean;
  process: ContainerProcess | undefined;
  /** Why the network failed, when it did before any stop was asked. */
  proxyFailure: string | undefined;
}

/**
 * The container side shared by agent and command tasks: network attachment
 * and release, planning, running and stopping. One run at a time.
 */
export class TaskContainer {
  readonly options: TaskOptions;
  private inFlight: InFlight | undefined;

  constructor(options: TaskOptions) {
    validateLimits(options.timeoutSeconds, options.resourceLimits ?? {});
    this.options = options;
  }

  /** Runs the container once; the network is released on every path. */
  async run(request: ContainerRunRequest): Promise<ContainerExit> {
    if (this.inFlight) {
      throw new TaskError('TASK_ALREADY_RUNNING', `execution context ${this.options.executionContextId} is already running`, {
        hint: 'Wait for the current run to finish, or create another task with its own execution context id.',
      });
    }
    const { signal } = this.options;
    if (signal?.aborted) {
      throw new TaskError('TASK_SANDBOX_SHUT_DOWN', `execution context ${this.options.executionContextId} cannot run: its sandbox was shut down`, {
        hint: 'Create a new Sandbox and call startup() before running more tasks.',
      });
    }
    const state: InFlight = { stopRequested: false, killRequested: false, process: undefined, proxyFailure: undefined };
    this.inFlight = state;
    const onAbort = (): void => { this.stop(); };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const attachment = await this.attach();
      // A task without its proxy would only wait for network timeouts: end it at once.
      void attachment?.failed?.then((reason) => {
        if (this.inFlight !== state || state.stopRequested) return;
        state.proxyFailure = reason;
        state.process?.kill();
      });
      let exit: ContainerExit;
      try {
        if (state.stopRequested) return { exitCode: undefined, timedOut: false, stopped: true, durationMs: 0 };
        exit = await this.start(request, attachment, state);
        // The removal for a failed proxy is not a stop anyone asked for.
        if (state.proxyFailure !== undefined) exit = { ...exit, stopped: false, proxyFailure: state.proxyFailure };
      } finally {
        await attachment?.release();
      }
      // After the release: the proxy has stopped, so its last BUDGET line has arrived.
      const budget = attachment?.budgetExceeded?.();
      return budget === undefined ? exit : { ...exit, budget };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.inFlight = undefined;
    }
  }

  /** Stops the run in flight (SIGTERM, forced removal after the grace period). False when none runs. */
  stop(): boolean {
    const state = this.inFlight;
    if (!state) return false;
    state.stopRequested = true;
    state.process?.stop();
    return true;
  }

  /** Ends the run in flight at once (forced removal, no grace period). False when none runs. */
  kill(): boolean {
    const state = this.inFlight;
    if (!state) return false;
    state.stopRequested = true;
    state.killRequested = true;
    state.process?.kill();
    return true;
  }

  private async start(request: ContainerRunRequest, attachment: NetworkAttachment | undefined, state: InFlight): Promise<ContainerExit> {
    const o = this.options;
    const name = `${o.prefix}-${o.executionContextId}-${randomBytes(4).toString('hex')}`;
    const { network } = o;
    const networkArgs = attachment?.containerArgs ?? (typeof network === 'string' ? ['--network', network] : []);
    const plan = planContainerRun({
      image: o.imageTag,
      command: request.command,
      name,
      owner: { prefix: o.prefix, contextId: o.executionContextId, ownerPid: o.ownerPid ?? process.pid },
      mounts: [...(o.mounts ?? []), ...(request.extraMounts ?? [])],
      env: { ...(o.env ?? {}), ...(attachment?.env ?? {}), ...(request.forcedEnv ?? {}) },
      limits: o.resourceLimits ?? {},
      networkArgs,
      stdin: request.input !== undefined,
      engine: o.runtime.kind,
    });
    const container = new ContainerProcess(o.runtime, name, {
      input: request.input,
      timeoutMs: o.timeoutSeconds === undefined ? undefined : o.timeoutSeconds * 1000,
      onStdoutLine: request.onStdoutLine,
      onStderrLine: request.onStderrLine,
      stopGraceMs: o.stopGraceMs,
      now: o.now,
    });
    state.process = container;
    // run() spawns synchronously, so a stop() that raced with the setup still lands.
    const exit = container.run(plan);
    if (state.killRequested || state.proxyFailure !== undefined) container.kill();
    else if (state.stopRequested) container.stop();
    return exit;
  }

  private async attach(): Promise<NetworkAttachment | undefined> {
    const { network, executionContextId, executionContextDir } = this.options;
    if (network === undefined || typeof network === 'string') return undefined;
    try {
      return await network.attach(executionContextId, executionContextDir);
    } catch (error) {
      if (isAirutError(error)) throw error;
      throw new TaskError('TASK_NETWORK_FAILED', `could not set up the network for execution context ${executionContextId}: ${(error as Error).message}`, { cause: error });
    }
  }
}
