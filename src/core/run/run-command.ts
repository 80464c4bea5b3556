import type { CommandResult } from '../../sandbox/index.js';
import { cliTask, runCliTask, type RunDependencies } from './cli-task.js';
import { RunError } from './error.js';
import type { RunEventSink } from './run-event.js';
import type { RunSettings } from './run-settings.js';

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
 * Runs `argv` in the sandbox through the task pipeline, with the repository
 * at `/workspace`, streaming its output to the callbacks and progress to `emit`.
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
  const task = cliTask(settings, { kind: 'command', argv, onStdout: options.onStdout, onStderr: options.onStderr }, deps);
  return runCliTask(task, emit);
}
