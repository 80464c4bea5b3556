import type {
  ClaudeBinaryCache,
  ContextFiles,
  Mount,
  ResourceLimits,
  Sandbox,
  TaskNetwork,
  VersionResolution,
} from '../../sandbox/index.js';
import type { HoldEndEvent, HoldEvent, NetworkLogEvent } from '../../sandbox/index.js';

/** The repository image, as read from wherever the caller keeps the repository (a checkout, a git mirror). */
export interface TaskImageSource {
  dockerfile: Uint8Array | string;
  /** The flat files beside the Dockerfile. */
  contextFiles: ContextFiles;
}

/**
 * Where a task's state lives on the host and what it mounts. Made by the
 * caller once the image is ready, so a failed build leaves nothing behind.
 */
export interface TaskContext {
  /** The execution context directory (Claude's home, `events.jsonl`, the network log). */
  dir: string;
  /** Host paths the container sees: the workspace first, then whatever else the caller mounts. */
  mounts: Mount[];
  /** Called once when the task is over, on every path (copy logs out, remove temp files). */
  release?(): Promise<void>;
}

/** A task's network as the caller opens it for one execution context. */
export interface OpenedNetwork {
  network: TaskNetwork;
  /** Called once when the task is over (stop routing its log lines...). */
  release?(): void | Promise<void>;
}

/**
 * The network sandbox of a task. The caller owns its lifetime (one per run
 * for the CLI, one kept between tasks by the gateway) and the allowlist and
 * masked secrets it was made with.
 */
export interface TaskNetworkSource {
  /**
   * Readies the network for the task with `contextId`; `onLine` receives its
   * network log lines (allowed, blocked, DNS...) while the task runs, and
   * the proxy's hold events when the source holds blocked requests.
   */
  open(contextId: string, onLine: (event: NetworkLogEvent | HoldEvent | HoldEndEvent) => void): Promise<OpenedNetwork>;
}

/**
 * Where Claude Code's binary comes from: a path given by the user, the
 * binary cache (resolved before the image so a bad version fails first,
 * downloaded with progress after the network is up), or the sandbox's own
 * setting (resolved when the container starts, without progress events).
 */
export type ClaudeBinarySource =
  | { kind: 'path'; path: string }
  | { kind: 'cache'; cache: ClaudeBinaryCache; version: string; resolution?: VersionResolution }
  | { kind: 'sandbox' };

/** Claude Code with a prompt. */
export interface PromptWork {
  kind: 'prompt';
  prompt: string;
  binary: ClaudeBinarySource;
  sessionId?: string;
  model?: string;
  effort?: string;
}

/** Any command, without a shell. */
export interface CommandWork {
  kind: 'command';
  argv: readonly string[];
  /** The command's stdout, line by line as written (newline kept). */
  onStdout: (line: string) => void;
  /** The command's stderr, line by line as written (newline kept). */
  onStderr: (line: string) => void;
}

/** What a task does. */
export type TaskWork = PromptWork | CommandWork;

/**
 * Everything a task needs, as its caller passes it in. Callers (`airut
 * sandbox exec`, `airut run`, the gateway, the scheduler) differ only in the
 * values: where the image and workspace come from, which network and secret
 * pools, which limits, how a stop is asked for.
 */
export interface TaskSpec<W extends TaskWork = TaskWork> {
  /** The engine side: image cache, task containers. Stays behind the runtime interface. */
  sandbox: Sandbox;
  work: W;
  /** Shown with the image phase (a path, or `container_path` of a repo). */
  imageLabel: string;
  /** Read when the image phase starts. */
  image: () => Promise<TaskImageSource>;
  /** Made once the image is ready. */
  context: () => Promise<TaskContext>;
  /** The network sandbox, or the reason there is none (shown with the skipped phase). */
  network: TaskNetworkSource | { off: string };
  /** Container environment (never the caller's whole environment). */
  env: Record<string, string>;
  timeoutSeconds?: number;
  resourceLimits?: ResourceLimits;
  /** Told to the user before anything is prepared. */
  warnings?: readonly string[];
  /**
   * Host work started with the image and overlapping it (removing dead runs'
   * leftovers); it settles before the network is created, and its failure
   * fails the task.
   */
  hostReady?: () => Promise<unknown>;
  /** Aborting it stops the task, as {@link TaskRun.stop}. */
  signal?: AbortSignal;
}

/** A task in flight. */
export interface TaskRun<R> {
  /**
   * The result. Timeouts, stops and Claude's own failures are results; only a
   * task that could not be set up (image, network, engine) rejects.
   */
  result: Promise<R>;
  /** Stops the task wherever it is (SIGTERM, then forced removal) and waits until everything is removed. */
  stop(): Promise<void>;
  /**
   * Ends the task at once (its container is removed without a grace period)
   * and waits until everything is removed. Before the container runs it acts
   * as {@link stop}: a running image build or download ends at once.
   */
  kill(): Promise<void>;
}
