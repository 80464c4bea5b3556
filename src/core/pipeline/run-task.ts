import {
  assertNetworkBackend,
  ClaudeBinaryError,
  ImageBuildError,
  newExecutionContextId,
  type CommandResult,
  type CreateTaskOptions,
  type ExecutionResult,
  type TaskNetwork,
} from '../../sandbox/index.js';
import { commandExitCode } from './command-exit-code.js';
import { stoppedCommandResult, stoppedResult } from './stopped-result.js';
import type { RunEventSink } from './task-event.js';
import type { ClaudeBinarySource, CommandWork, PromptWork, TaskContext, TaskRun, TaskSpec, TaskWork } from './task-spec.js';

/** The result a task of this kind builds. */
export type TaskResultOf<W extends TaskWork> = W extends PromptWork ? ExecutionResult : CommandResult;

/** How often a stop asked for before the container runs is offered again. */
const STOP_RETRY_MS = 100;

/** A request to end the task, and what has to end with it. */
interface StopState {
  requested: 'stop' | 'kill' | undefined;
  controller: AbortController;
  /** Offers the stop to the task's container; true once it was taken. */
  deliver: (() => boolean) | undefined;
}

/**
 * The one task pipeline of Airut. Reports each step on `emit` (warnings,
 * image -> Claude Code -> network sandbox -> task phases, build output,
 * download progress, network lines, Claude's stream, stderr) and builds one
 * result, also for a task stopped anywhere on the way (see
 * {@link stoppedResult}). Steps, in order:
 *
 * 1. the Claude Code version (cache source only), so a bad version fails first;
 * 2. the network backend check (podman, network sandbox on), before any build;
 * 3. the image, overlapping `spec.hostReady`;
 * 4. the caller's context (execution directory, workspace mounts);
 * 5. the network sandbox;
 * 6. the Claude Code binary (cache source only);
 * 7. the task container, then everything released in reverse.
 *
 * The `finished` event is the caller's to send. Nothing in here knows which
 * caller it serves: a new caller passes a new {@link TaskSpec}.
 */
export function runTask<W extends TaskWork>(spec: TaskSpec<W>, emit: RunEventSink): TaskRun<TaskResultOf<W>> {
  const state: StopState = { requested: undefined, controller: new AbortController(), deliver: undefined };
  const request = (kind: 'stop' | 'kill'): void => {
    if (state.requested !== 'kill') state.requested = kind;
    state.controller.abort();
    offerStop(state);
  };
  const onAbort = (): void => request('stop');
  spec.signal?.addEventListener('abort', onAbort);
  if (spec.signal?.aborted === true) request('stop');
  const work = spec.work;
  const stopped = (): TaskResultOf<W> => (work.kind === 'prompt' ? stoppedResult() : stoppedCommandResult()) as TaskResultOf<W>;
  const result = (async (): Promise<TaskResultOf<W>> => {
    try {
      return ((await execute(spec, emit, state)) as TaskResultOf<W> | undefined) ?? stopped();
    } catch (error) {
      if (state.requested !== undefined && isAbortError(error)) return stopped();
      throw error;
    } finally {
      spec.signal?.removeEventListener('abort', onAbort);
      state.deliver = undefined;
    }
  })();
  const settled = (): Promise<void> => result.then(() => undefined, () => undefined);
  return {
    result,
    stop: () => { request('stop'); return settled(); },
    kill: () => { request('kill'); return settled(); },
  };
}

/** Runs the steps; undefined when a stop came between two of them. */
async function execute(spec: TaskSpec, emit: RunEventSink, state: StopState): Promise<ExecutionResult | CommandResult | undefined> {
  const { sandbox, work } = spec;
  const signal = state.controller.signal;
  const binary = work.kind === 'prompt' ? await resolveVersion(work.binary) : undefined;
  if (state.requested !== undefined) return undefined;
  for (const message of spec.warnings ?? []) emit({ type: 'warning', message });

  const hostReady = spec.hostReady?.() ?? Promise.resolve();
  if (!('off' in spec.network) && sandbox.runtime.kind === 'podman') {
    // An unsupported network backend fails the task at once, before an image is built for nothing.
    const [backend] = await Promise.allSettled([assertNetworkBackend(sandbox.runtime)]);
    if (backend.status === 'rejected') {
      await hostReady.catch(() => undefined);
      throw backend.reason;
    }
  }
  const image = (async (): Promise<string> => {
    emit({ type: 'phase', phase: 'image', state: 'started', detail: spec.imageLabel });
    const source = await spec.image();
    const tag = await sandbox.ensureImage(source.dockerfile, source.contextFiles, {
      passthrough: work.kind === 'command',
      signal,
      onBuildOutput: (line) => emit({ type: 'build-output', line: line.replace(/\n$/, '') }),
    });
    emit({ type: 'phase', phase: 'image', state: 'finished', detail: tag });
    return tag;
  })();
  // Both settle before going on or failing, so nothing runs on after the task is released.
  const [built, host] = await Promise.allSettled([image, hostReady]);
  if (built.status === 'rejected') throw built.reason;
  if (host.status === 'rejected') throw host.reason;
  if (state.requested !== undefined) return undefined;

  const releases: (() => void | Promise<void>)[] = [];
  try {
    const context: TaskContext = await spec.context();
    if (context.release !== undefined) releases.push(() => context.release?.());
    if (state.requested !== undefined) return undefined;

    const contextId = newExecutionContextId();
    let network: TaskNetwork | undefined;
    if ('off' in spec.network) {
      emit({ type: 'phase', phase: 'proxy', state: 'skipped', detail: spec.network.off });
    } else {
      emit({ type: 'phase', phase: 'proxy', state: 'started' });
      const opened = await spec.network.open(contextId, (event) => emit(event.event === 'log' ? { type: 'network', event } : { type: 'hold', event, contextId }));
      if (opened.release !== undefined) releases.push(() => opened.release?.());
      network = opened.network;
      emit({ type: 'phase', phase: 'proxy', state: 'finished' });
    }
    if (state.requested !== undefined) return undefined;

    const base = {
      executionContextId: contextId,
      executionContextDir: context.dir,
      imageTag: built.value,
      mounts: context.mounts,
      env: spec.env,
      ...(spec.timeoutSeconds === undefined ? {} : { timeoutSeconds: spec.timeoutSeconds }),
      ...(spec.resourceLimits === undefined ? {} : { resourceLimits: spec.resourceLimits }),
      ...(network === undefined ? {} : { network }),
    };
    if (work.kind === 'command') return await runCommandWork(spec, work, base, emit, state);
    const binaryPath = await claudeBinary(binary ?? work.binary, emit, signal);
    if (state.requested !== undefined) return undefined;
    return await runPromptWork(spec, work, { ...base, ...(binaryPath === undefined ? {} : { claudeBinaryPath: binaryPath }) }, emit, state);
  } finally {
    for (const release of releases.reverse()) await release();
  }
}

async function runCommandWork(spec: TaskSpec, work: CommandWork, base: CreateTaskOptions, emit: RunEventSink, state: StopState): Promise<CommandResult> {
  const task = spec.sandbox.createCommandTask(base);
  state.deliver = () => (state.requested === 'kill' ? task.kill() : task.stop());
  emit({ type: 'phase', phase: 'task', state: 'started', detail: task.executionContextId });
  const running = task.execute(work.argv, { onStdout: work.onStdout, onStderr: work.onStderr });
  offerStop(state);
  const result = await running;
  emit({ type: 'phase', phase: 'task', state: 'finished', detail: `exit ${commandExitCode(result)}` });
  return result;
}

async function runPromptWork(spec: TaskSpec, work: PromptWork, base: CreateTaskOptions & { claudeBinaryPath?: string }, emit: RunEventSink, state: StopState): Promise<ExecutionResult> {
  const task = spec.sandbox.createTask(base);
  state.deliver = () => (state.requested === 'kill' ? task.kill() : task.stop());
  emit({ type: 'phase', phase: 'task', state: 'started', detail: task.executionContextId });
  const running = task.execute(work.prompt, {
    ...(work.sessionId === undefined ? {} : { sessionId: work.sessionId }),
    ...(work.model === undefined ? {} : { model: work.model }),
    ...(work.effort === undefined ? {} : { effort: work.effort }),
    onEvent: (event) => emit({ type: 'claude', event }),
    onStderrLine: (line) => emit({ type: 'stderr', line: line.replace(/\n$/, '') }),
  });
  offerStop(state);
  const result = await running;
  emit({ type: 'phase', phase: 'task', state: 'finished', detail: result.outcome });
  return result;
}

/**
 * Hands a requested stop to the task. A task takes it only once its
 * container run has begun (after its network is attached and, for the
 * sandbox's own binary source, Claude Code resolved), so it is offered again
 * until taken or the task is over.
 */
function offerStop(state: StopState): void {
  if (state.requested === undefined || state.deliver === undefined) return;
  if (state.deliver()) return;
  setTimeout(() => offerStop(state), STOP_RETRY_MS).unref();
}

/** The binary source with its version resolved (cache source), so a version that does not exist fails first. */
async function resolveVersion(source: ClaudeBinarySource): Promise<ClaudeBinarySource> {
  if (source.kind !== 'cache' || source.resolution !== undefined) return source;
  return { ...source, resolution: await source.cache.resolve(source.version) };
}

/** The binary to mount, reported as its phase; undefined leaves it to the sandbox. */
async function claudeBinary(source: ClaudeBinarySource, emit: RunEventSink, signal: AbortSignal): Promise<string | undefined> {
  if (source.kind === 'sandbox') return undefined;
  if (source.kind === 'path') {
    emit({ type: 'phase', phase: 'claude-binary', state: 'skipped', detail: source.path });
    return source.path;
  }
  const { resolution } = source;
  emit({ type: 'phase', phase: 'claude-binary', state: 'started' });
  const found = await source.cache.ensure(source.version, {
    onProgress: (bytes, total) => emit({ type: 'download-progress', bytes, total }),
    signal,
    ...(resolution === undefined ? {} : { resolution }),
  });
  for (const message of found.warnings) emit({ type: 'warning', message });
  emit({ type: 'phase', phase: 'claude-binary', state: 'finished', detail: `${found.version}${found.downloaded ? ' (downloaded)' : ''}` });
  return found.path;
}

/** A preparation step cut short by the task's own stop (an image build, a download). */
function isAbortError(error: unknown): boolean {
  return (error instanceof ImageBuildError && error.code === 'IMAGE_BUILD_ABORTED')
    || (error instanceof ClaudeBinaryError && error.code === 'CLAUDE_BIN_ABORTED');
}
