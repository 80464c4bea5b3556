import type { ExecutionResult } from '../../sandbox/index.js';
import type { PromptWork } from '../pipeline/index.js';
import { claudeBinarySource, cliTask, runCliTask, type RunDependencies } from './cli-task.js';
import { RunError } from './error.js';
import { writeLastSession } from './repo-state.js';
import type { RunEventSink } from './run-event.js';
import type { RunSettings } from './run-settings.js';

/** What {@link runPrompt} runs. */
export interface PromptRunOptions {
  /** From {@link resolveRunSettings} with mode `prompt`. */
  settings: RunSettings;
  /** The prompt, sent to Claude Code on stdin. */
  prompt: string;
  deps?: RunDependencies;
}

/** A prompt run in flight. */
export interface PromptRun {
  /**
   * The result. Timeouts, stops and Claude's own failures are outcomes; only
   * a run that could not start (bad image, engine missing...) rejects.
   */
  result: Promise<PromptRunResult>;
  /** Stops the run wherever it is (SIGTERM, then forced removal) and waits for everything to be removed. */
  stop(): Promise<void>;
  /**
   * Ends the task at once (its container is removed without a grace period,
   * also after a {@link stop}) and waits for everything to be removed. Before
   * the task has started it acts as {@link stop}: a running image build or
   * Claude Code download ends at once, other preparation steps at their end.
   */
  kill(): Promise<void>;
}

/** A finished prompt run. */
export interface PromptRunResult extends ExecutionResult {
  /** Set with `--worktree`: where the run worked. */
  worktree?: { path: string; branch: string };
}

/**
 * Runs Claude Code on the repository in the sandbox with `prompt` through the
 * task pipeline, reporting progress as {@link RunEvent}s. The session id of a
 * successful run becomes the repository's last session (for `--continue`).
 * Call {@link resolveRunSettings} first: it reports every fixable mistake
 * before anything is built.
 *
 * @throws RunError `RUN_PROMPT_EMPTY` synchronously for an empty prompt.
 */
export function runPrompt(options: PromptRunOptions, emit: RunEventSink): PromptRun {
  const { settings, prompt, deps = {} } = options;
  checkPrompt(prompt);
  const { claude } = settings;
  const work: PromptWork = {
    kind: 'prompt',
    prompt,
    binary: claudeBinarySource(settings),
    ...(claude.sessionId === undefined ? {} : { sessionId: claude.sessionId }),
    ...(claude.model === undefined ? {} : { model: claude.model }),
    ...(claude.effort === undefined ? {} : { effort: claude.effort }),
  };
  const task = cliTask(settings, work, deps);
  return runCliTask(task, emit, async (finished) => {
    if (finished.sessionId !== '') await writeLastSession(settings.repoStateDir, finished.sessionId);
    emit({ type: 'finished', result: finished });
  });
}

/**
 * Refuses a prompt that is empty or only whitespace.
 *
 * @throws RunError `RUN_PROMPT_EMPTY` (exit code 1).
 */
export function checkPrompt(prompt: string): void {
  if (prompt.trim() === '') {
    throw new RunError('RUN_PROMPT_EMPTY', 'the prompt is empty', {
      hint: 'Give the prompt as an argument (airut sandbox exec "fix the tests") or on stdin with "-".',
    });
  }
}
