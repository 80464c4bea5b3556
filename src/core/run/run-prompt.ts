import { buildExecutionResult, type ExecutionResult } from '../../sandbox/claude/stream/index.js';
import { ClaudeBinaryCache, ClaudeBinaryError, type VersionResolution } from '../../sandbox/claude/binary/index.js';
import type { AgentTask } from '../../sandbox/task/index.js';
import { join } from 'node:path';
import { isStoppedDuringPreparation, openRun, type OpenRun, type RunDependencies } from './open-run.js';
import { writeLastSession } from './repo-state.js';
import type { RunEventSink } from './run-event.js';
import type { RunSettings } from './run-settings.js';
import { RunError } from './error.js';

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
 * Runs Claude Code on the repository in the sandbox with `prompt`, reporting
 * progress as {@link RunEvent}s. The session id of a successful run becomes
 * the repository's last session (for `--continue`). Call {@link resolveRunSettings}
 * first: it reports every fixable mistake before anything is built.
 *
 * @throws RunError `RUN_PROMPT_EMPTY` synchronously for an empty prompt.
 */
export function runPrompt(options: PromptRunOptions, emit: RunEventSink): PromptRun {
  const { settings, prompt, deps = {} } = options;
  checkPrompt(prompt);
  const controller = new AbortController();
  const state: { stopped: boolean; task: AgentTask | undefined; signal: AbortSignal } = { stopped: false, task: undefined, signal: controller.signal };
  const result = (async (): Promise<PromptRunResult> => {
    // Which Claude Code version: asked first, so a channel or version that
    // does not exist fails before any image, network or proxy is prepared.
    const cache = settings.claude.binaryPath === undefined ? new ClaudeBinaryCache({ cacheDir: join(settings.cacheDir, 'claude') }) : undefined;
    const resolution = await cache?.resolve(settings.claude.version ?? 'latest');
    if (state.stopped) return stoppedResult();
    let run: OpenRun;
    try {
      run = await openRun(settings, emit, deps, state);
    } catch (error) {
      if (isStoppedDuringPreparation(error, state)) return stoppedResult();
      throw error;
    }
    try {
      let binary: string;
      try {
        binary = await claudeBinary(settings, emit, state.signal, cache, resolution);
      } catch (error) {
        if (state.stopped && error instanceof ClaudeBinaryError && error.code === 'CLAUDE_BIN_ABORTED') return stoppedResult();
        throw error;
      }
      if (state.stopped) return stoppedResult();
      const task = run.sandbox.createTask({
        executionContextDir: run.contextDir,
        imageTag: run.imageTag,
        mounts: [...run.workspace.mounts, ...settings.mounts],
        env: settings.containerEnv,
        ...(settings.timeoutSeconds === undefined ? {} : { timeoutSeconds: settings.timeoutSeconds }),
        resourceLimits: settings.resourceLimits,
        ...(run.network === undefined ? {} : { network: run.network }),
        claudeBinaryPath: binary,
      });
      state.task = task;
      emit({ type: 'phase', phase: 'task', state: 'started', detail: task.executionContextId });
      const executed = await task.execute(prompt, {
        ...(settings.claude.sessionId === undefined ? {} : { sessionId: settings.claude.sessionId }),
        ...(settings.claude.model === undefined ? {} : { model: settings.claude.model }),
        ...(settings.claude.effort === undefined ? {} : { effort: settings.claude.effort }),
        onEvent: (event) => emit({ type: 'claude', event }),
        onStderrLine: (line) => emit({ type: 'stderr', line: line.replace(/\n$/, '') }),
      });
      emit({ type: 'phase', phase: 'task', state: 'finished', detail: executed.outcome });
      if (executed.sessionId !== '') await writeLastSession(settings.repoStateDir, executed.sessionId);
      const finished: PromptRunResult = run.workspace.branch === undefined
        ? executed
        : { ...executed, worktree: { path: run.workspace.dir, branch: run.workspace.branch } };
      emit({ type: 'finished', result: finished });
      return finished;
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

async function claudeBinary(settings: RunSettings, emit: RunEventSink, signal: AbortSignal, cache: ClaudeBinaryCache | undefined, resolution: VersionResolution | undefined): Promise<string> {
  if (settings.claude.binaryPath !== undefined) {
    emit({ type: 'phase', phase: 'claude-binary', state: 'skipped', detail: settings.claude.binaryPath });
    return settings.claude.binaryPath;
  }
  emit({ type: 'phase', phase: 'claude-binary', state: 'started' });
  const found = await (cache ?? new ClaudeBinaryCache({ cacheDir: join(settings.cacheDir, 'claude') })).ensure((settings.claude.version ?? 'latest'), {
    onProgress: (bytes, total) => emit({ type: 'download-progress', bytes, total }),
    signal,
    ...(resolution === undefined ? {} : { resolution }),
  });
  for (const message of found.warnings) emit({ type: 'warning', message });
  emit({ type: 'phase', phase: 'claude-binary', state: 'finished', detail: `${found.version}${found.downloaded ? ' (downloaded)' : ''}` });
  return found.path;
}

function stoppedResult(): ExecutionResult {
  return buildExecutionResult({ exitCode: undefined, timedOut: false, stopped: true, events: [], stderr: '', wallClockMs: 0 });
}
