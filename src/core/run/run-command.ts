import type { CommandResult } from '../../sandbox/claude/stream/index.js';
import type { CommandTask } from '../../sandbox/task/index.js';
import { RunError } from './error.js';
import { isStoppedDuringPreparation, openRun, type OpenRun, type RunDependencies } from './open-run.js';
import type { RunEventSink } from './run-event.js';
import type { RunSettings } from './run-settings.js';

/** Exit code of a command that ran past its timeout (as timeout(1)). */
export const EXIT_TIMEOUT = 124;
/** Exit code of a command killed by SIGKILL (the memory limit, or a forced stop). */
export const EXIT_KILLED = 137;
/** Exit code of a run stopped by SIGINT/SIGTERM before the command ended. */
export const EXIT_STOPPED = 130;
/** Exit code when Airut itself failed during the run (its network proxy died): not the command's. */
export const EXIT_AIRUT_FAILED = 125;

/** What {@link runCommand} runs. */
export interface CommandRunOptions {
  /** From {@link resolveRunSettings} with mode `command`. */
  settings: RunSettings;
  /** The command and its arguments, run without a shell. */
  argv: readonly string[];
  /** The command's stdout, line by line as written (newline kept). */
  onStdout: (line: string) => void;
  /** The command's stderr, line by line as written (newline kept). */
  onStderr: (line: string) => void;
  deps?: RunDependencies;
}

/** A finished command run. */
export interface CommandRunResult extends CommandResult {
  /** Set with `--worktree`: where the run worked. */
  worktree?: { path: string; branch: string };
}

/** A command run in flight. */
export interface CommandRun {
  /** The command's result; rejects only when the sandbox could not run it. */
  result: Promise<CommandRunResult>;
  /** Stops the run wherever it is (a running image build at once) and waits until everything is removed. */
  stop(): Promise<void>;
  /** Ends the command at once (no grace period for SIGTERM) and waits until everything is removed. */
  kill(): Promise<void>;
}

/**
 * Runs `argv` in the sandbox with the repository at `/workspace`, streaming
 * its output to the callbacks and progress to `emit`.
 *
 * @throws RunError `RUN_FLAG_INVALID` synchronously when `argv` is empty.
 */
export function runCommand(options: CommandRunOptions, emit: RunEventSink): CommandRun {
  const { settings, argv, deps = {} } = options;
  if (argv.length === 0) {
    throw new RunError('RUN_FLAG_INVALID', 'No command specified after --', {
      hint: 'Put the command after "--", e.g. airut sandbox exec -- npm test; or give a prompt instead.',
    });
  }
  const controller = new AbortController();
  const state: { stopped: boolean; task: CommandTask | undefined; signal: AbortSignal } = { stopped: false, task: undefined, signal: controller.signal };
  const result = (async (): Promise<CommandRunResult> => {
    let run: OpenRun;
    try {
      run = await openRun(settings, emit, deps, state);
    } catch (error) {
      if (isStoppedDuringPreparation(error, state)) return stoppedBeforeStart();
      throw error;
    }
    try {
      if (state.stopped) return stoppedBeforeStart();
      const task = run.sandbox.createCommandTask({
        executionContextDir: run.contextDir,
        imageTag: run.imageTag,
        mounts: [...run.workspace.mounts, ...settings.mounts],
        env: settings.containerEnv,
        ...(settings.timeoutSeconds === undefined ? {} : { timeoutSeconds: settings.timeoutSeconds }),
        resourceLimits: settings.resourceLimits,
        ...(run.network === undefined ? {} : { network: run.network }),
      });
      state.task = task;
      emit({ type: 'phase', phase: 'task', state: 'started', detail: task.executionContextId });
      const executed = await task.execute(argv, { onStdout: options.onStdout, onStderr: options.onStderr });
      emit({ type: 'phase', phase: 'task', state: 'finished', detail: `exit ${commandExitCode(executed)}` });
      return run.workspace.branch === undefined ? executed : { ...executed, worktree: { path: run.workspace.dir, branch: run.workspace.branch } };
    } finally {
      await run.close();
    }
  })();
  return {
    result,
    async stop() {
      state.stopped = true;
      controller.abort();
      state.task?.stop();
      await result.catch(() => undefined);
    },
    async kill() {
      state.stopped = true;
      controller.abort();
      state.task?.kill();
      await result.catch(() => undefined);
    },
  };
}

/**
 * The exit code `airut sandbox exec` ends with: the command's own, 124 on
 * timeout, 130 when stopped by the user, 137 when the container was killed,
 * 125 when the network proxy failed and the run was ended for it.
 */
export function commandExitCode(result: CommandResult): number {
  if (result.proxyFailure !== undefined) return EXIT_AIRUT_FAILED;
  if (result.timedOut) return EXIT_TIMEOUT;
  if (result.stopped) return EXIT_STOPPED;
  return result.exitCode ?? EXIT_KILLED;
}

/** The result of a run stopped before its command started. */
function stoppedBeforeStart(): CommandRunResult {
  return { exitCode: undefined, stdout: '', stderr: '', durationMs: 0, timedOut: false, stopped: true };
}
