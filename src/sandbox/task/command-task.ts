import type { CommandResult } from '../claude/stream/index.js';
import { TaskContainer, type TaskOptions } from './task-container.js';

/** Callbacks of one {@link CommandTask.execute}. */
export interface CommandExecuteOptions {
  /** Each stdout line as it arrives, newline kept. */
  onStdout?: (line: string) => void;
  /** Each stderr line as it arrives, newline kept. */
  onStderr?: (line: string) => void;
}

/**
 * Runs any command in the sandbox (the image must come from
 * `ensureImage(..., { passthrough: true })`). Nothing is written to stdin and
 * nothing reaches this process's own output: lines go to the callbacks and
 * into the result.
 */
export class CommandTask {
  private readonly container: TaskContainer;

  /** @throws TaskError `TASK_LIMIT_INVALID` for a bad timeout or resource limit. */
  constructor(options: TaskOptions) {
    this.container = new TaskContainer(options);
  }

  /** The execution context this task runs in. */
  get executionContextId(): string {
    return this.container.options.executionContextId;
  }

  /**
   * Runs `argv` and returns its exit code and output. A non-zero exit, a
   * timeout or a stop is a result; only infrastructure failures throw.
   */
  async execute(argv: readonly string[], options: CommandExecuteOptions = {}): Promise<CommandResult> {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const exit = await this.container.run({
      command: argv,
      onStdoutLine: (line) => {
        stdout.push(line);
        options.onStdout?.(line);
      },
      onStderrLine: (line) => {
        stderr.push(line);
        options.onStderr?.(line);
      },
    });
    return {
      exitCode: exit.exitCode,
      stdout: stdout.join(''),
      stderr: stderr.join(''),
      durationMs: exit.durationMs,
      timedOut: exit.timedOut,
      stopped: exit.stopped,
      ...(exit.proxyFailure === undefined ? {} : { proxyFailure: exit.proxyFailure }),
      ...(exit.budget === undefined ? {} : { budget: exit.budget }),
    };
  }

  /** Stops the run in flight: SIGTERM, then forced removal after 5 s. False when nothing runs. */
  stop(): boolean {
    return this.container.stop();
  }

  /** Ends the run in flight at once: the container is removed without a grace period. False when nothing runs. */
  kill(): boolean {
    return this.container.kill();
  }
}
