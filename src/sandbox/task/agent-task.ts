import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildExecutionResult, parseStreamJsonLine, type ClaudeEvent, type ExecutionResult } from '../claude/stream/index.js';
import { EventLog } from '../events/index.js';
import { CLAUDE_BINARY_CONTAINER_PATH } from '../image/index.js';
import { claudeArgs, type ClaudeRunSettings } from './claude-args.js';
import { TaskError } from './error.js';
import type { Mount } from './mount.js';
import { TaskContainer, type TaskOptions } from './task-container.js';

/** File name of the event log in the execution context directory. */
export const EVENTS_FILE_NAME = 'events.jsonl';

/** Where Claude Code keeps its home state (sessions) in the container. */
export const CLAUDE_HOME_CONTAINER_PATH = '/root/.claude';

/** Environment every agent container gets, whatever the caller passed. */
export const FORCED_AGENT_ENV: Readonly<Record<string, string>> = {
  // Background tasks would outlive the headless run and be killed with the container.
  CLAUDE_CODE_DISABLE_BACKGROUND_TASKS: '1',
  // Claude Code keeps its settings file (.claude.json) beside its home, not in it,
  // unless told otherwise; only the home is kept between runs.
  CLAUDE_CONFIG_DIR: CLAUDE_HOME_CONTAINER_PATH,
};

/** Options of an {@link AgentTask}. */
export interface AgentTaskOptions extends TaskOptions {
  /**
   * Host path of the Claude Code binary, bind-mounted read-only; or a function
   * resolving it at each run (e.g. a cache download), so creating a task
   * stays cheap and synchronous.
   */
  claudeBinary: string | (() => Promise<string>);
}

/** Per-run options of {@link AgentTask.execute}. */
export interface AgentExecuteOptions extends ClaudeRunSettings {
  /** Each parsed stream-json event as it arrives. */
  onEvent?: (event: ClaudeEvent) => void;
  /** Each stderr line as it arrives, newline kept. */
  onStderrLine?: (line: string) => void;
}

/**
 * Runs Claude Code headless in the sandbox. Claude's home (`/root/.claude`)
 * lives in `<executionContextDir>/claude`, so a later run can resume the
 * session; every event is appended to `<executionContextDir>/events.jsonl`.
 */
export class AgentTask {
  private readonly container: TaskContainer;
  private readonly contextDir: string;
  private readonly claudeBinary: string | (() => Promise<string>);

  /** @throws TaskError `TASK_LIMIT_INVALID`, or `TASK_MOUNT_INVALID` when a mount takes a path the sandbox owns. */
  constructor(options: AgentTaskOptions) {
    for (const mount of options.mounts ?? []) {
      if ([CLAUDE_HOME_CONTAINER_PATH, CLAUDE_BINARY_CONTAINER_PATH].includes(mount.containerPath.replace(/\/+$/, ''))) {
        throw new TaskError('TASK_MOUNT_INVALID', `mount target ${mount.containerPath} is reserved for the sandbox`, {
          hint: `Claude's home (${CLAUDE_HOME_CONTAINER_PATH}) and binary (${CLAUDE_BINARY_CONTAINER_PATH}) are mounted by the task itself; remove that mount.`,
        });
      }
    }
    this.contextDir = options.executionContextDir;
    this.claudeBinary = options.claudeBinary;
    this.container = new TaskContainer(options);
  }

  /** The execution context this task runs in. */
  get executionContextId(): string {
    return this.container.options.executionContextId;
  }

  /** Path of this context's event log. */
  get eventLogPath(): string {
    return join(this.contextDir, EVENTS_FILE_NAME);
  }

  /**
   * Runs Claude Code with `prompt` on stdin. Timeouts, stops and Claude's own
   * failures come back as the result's `outcome`; only infrastructure
   * failures (engine missing, network setup) throw.
   */
  async execute(prompt: string, options: AgentExecuteOptions = {}): Promise<ExecutionResult> {
    const binary = typeof this.claudeBinary === 'string' ? this.claudeBinary : await this.claudeBinary();
    const home = join(this.contextDir, 'claude');
    await mkdir(home, { recursive: true });
    const own: Mount[] = [
      { hostPath: home, containerPath: CLAUDE_HOME_CONTAINER_PATH },
      { hostPath: binary, containerPath: CLAUDE_BINARY_CONTAINER_PATH, readOnly: true },
    ];
    const log = new EventLog(this.eventLogPath);
    const events: ClaudeEvent[] = [];
    const stderr: string[] = [];
    try {
      log.startReply();
      const exit = await this.container.run({
        command: claudeArgs(options),
        input: prompt,
        extraMounts: own,
        forcedEnv: FORCED_AGENT_ENV,
        onStdoutLine: (line) => {
          const event = parseStreamJsonLine(line);
          if (!event) return;
          log.append(event);
          events.push(event);
          options.onEvent?.(event);
        },
        onStderrLine: (line) => {
          stderr.push(line);
          options.onStderrLine?.(line);
        },
      });
      return buildExecutionResult({
        exitCode: exit.exitCode,
        timedOut: exit.timedOut,
        stopped: exit.stopped,
        proxyFailure: exit.proxyFailure,
        budgetExceeded: exit.budget,
        events,
        stderr,
        wallClockMs: exit.durationMs,
      });
    } finally {
      await log.close();
    }
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
