import type { BudgetExceeded } from '../claude/stream/outcome.js';
import type { ContainerRuntime } from '../runtime/index.js';
import { LineSplitter } from '../runtime/index.js';
import type { ContainerRunPlan } from './container-plan.js';
import { TaskError } from './error.js';

/** Callbacks and limits of one container run. */
export interface ContainerRunOptions {
  /** Written to the container's stdin, which is then closed. */
  input?: string;
  /** Wall-clock limit; the container is removed when it passes. */
  timeoutMs?: number;
  /** Each stdout line, newline kept; any length. */
  onStdoutLine?: (line: string) => void;
  /** Each stderr line, newline kept; any length. */
  onStderrLine?: (line: string) => void;
  /** Time between the SIGTERM of {@link ContainerProcess.stop} and the forced removal. Default 5000. */
  stopGraceMs?: number;
  /** Current time in ms. */
  now?: () => number;
}

/** How long the engine client may take to exit after its container was removed by force. */
const CLIENT_EXIT_GRACE_MS = 1000;

/** How a container run ended. */
export interface ContainerExit {
  /** The engine client's exit code (the command's); undefined when the client was killed by a signal. */
  exitCode: number | undefined;
  timedOut: boolean;
  stopped: boolean;
  durationMs: number;
  /** Set when the task's network failed (its proxy died or stopped answering) and the container was removed for it: the reason. */
  proxyFailure?: string;
  /** Set when the task's proxy refused a request because a spending cap was reached: which one. */
  budget?: BudgetExceeded;
}

/**
 * One running container: streams its output line by line, enforces the
 * timeout and supports {@link stop} from anywhere. After {@link wait} returns,
 * the container is gone even when it was killed.
 */
export class ContainerProcess {
  private readonly runtime: ContainerRuntime;
  private readonly name: string;
  private readonly options: ContainerRunOptions;
  private child: ReturnType<ContainerRuntime['spawn']> | undefined;
  private exited = false;
  private timedOut = false;
  private stopped = false;
  private removal: Promise<void> | undefined;
  /** True when a forced removal had to kill the engine client too (it may have left its container). */
  private clientKilled = false;
  /** Resolves when the engine client process has exited (its output may still be draining). */
  private clientExit: Promise<void> = Promise.resolve();
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(runtime: ContainerRuntime, name: string, options: ContainerRunOptions = {}) {
    this.runtime = runtime;
    this.name = name;
    this.options = options;
  }

  /** Starts the planned container and resolves when it has ended and is removed. */
  async run(plan: ContainerRunPlan): Promise<ContainerExit> {
    const now = this.options.now ?? Date.now;
    const started = now();
    const child = this.runtime.spawn(plan.argv, { stdin: this.options.input === undefined ? 'ignore' : 'pipe', env: plan.env });
    this.child = child;
    this.clientExit = new Promise((resolve) => { child.once('exit', () => resolve()); });
    if (this.options.timeoutMs !== undefined) {
      this.timers.push(setTimeout(() => {
        this.timedOut = true;
        this.forceRemove();
      }, this.options.timeoutMs));
    }
    if (child.stdin && this.options.input !== undefined) {
      // EPIPE here means the container ended without reading all its input;
      // the exit code tells the story, so the write error is not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(this.options.input);
    }
    const failures: unknown[] = [];
    const pump = async (stream: AsyncIterable<unknown> | null, onLine: ((line: string) => void) | undefined): Promise<void> => {
      if (!stream) return;
      const splitter = new LineSplitter();
      const deliver = (line: string): void => {
        try {
          onLine?.(line);
        } catch (error) {
          // A failing callback must not leave the container running.
          failures.push(error);
          this.forceRemove();
        }
      };
      try {
        for await (const chunk of stream) splitter.push(chunk as Uint8Array).forEach(deliver);
        splitter.end().forEach(deliver);
      } catch (error) {
        // A broken pipe must not leave the container running either; the
        // client is awaited below all the same.
        failures.push(error);
        this.forceRemove();
      }
    };
    try {
      const [result] = await Promise.all([
        child,
        pump(child.stdout, this.options.onStdoutLine),
        pump(child.stderr, this.options.onStderrLine),
      ]);
      this.exited = true;
      if (result.exitCode === undefined && result.signal === undefined) {
        throw new TaskError('TASK_START_FAILED', `could not run ${this.runtime.command}: ${result.message}`, { cause: result.cause ?? result });
      }
      if (failures.length > 0) throw failures[0];
      return {
        exitCode: result.exitCode,
        timedOut: this.timedOut,
        stopped: this.stopped,
        durationMs: now() - started,
      };
    } finally {
      this.exited = true;
      this.timers.forEach(clearTimeout);
      await this.removal;
      // A client killed early may not have removed its container (a forced removal
      // can even come before the engine created it, and `rm -f` of a missing
      // container succeeds): make sure. A client that exited once the forced
      // removal was done left nothing, and a second call would only slow the end.
      const removedCleanly = this.removal !== undefined && !this.clientKilled;
      if ((this.timedOut || this.stopped || failures.length > 0) && !removedCleanly) await this.removeContainer();
    }
  }

  /**
   * Asks the container to end: SIGTERM now (the engine client passes it on),
   * forced removal after the grace period. Returns false when nothing runs.
   */
  stop(): boolean {
    if (!this.child || this.exited) return false;
    this.stopped = true;
    this.child.kill('SIGTERM');
    this.timers.push(setTimeout(() => this.forceRemove(), this.options.stopGraceMs ?? 5000));
    return true;
  }

  /**
   * Ends the container at once: forced removal (SIGKILL, no grace period),
   * also after an earlier {@link stop}. Returns false when nothing runs.
   */
  kill(): boolean {
    if (!this.child || this.exited) return false;
    this.stopped = true;
    this.forceRemove();
    return true;
  }

  private forceRemove(): void {
    if (this.exited || this.removal) return;
    this.removal = this.removeContainer().then(async () => {
      // The client normally exits once its container is gone, a moment after the
      // removal returns; if it does not, end it.
      const grace = new AbortController();
      await Promise.race([this.clientExit, new Promise((resolve) => {
        const timer = setTimeout(resolve, CLIENT_EXIT_GRACE_MS);
        grace.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      })]);
      grace.abort();
      if (!this.exited && this.child?.exitCode === null && this.child.signalCode === null) {
        this.clientKilled = true;
        this.child.kill('SIGKILL');
      }
    });
  }

  private async removeContainer(): Promise<void> {
    // Best effort: the container may already be gone, and a failing engine
    // here must not hide how the run itself ended.
    await this.runtime.removeContainers([this.name]).catch(() => undefined);
  }
}
