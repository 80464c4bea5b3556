import type { GatewayRunEvent, TaskTracker, TrackedTask } from '../gateway/index.js';
import type { ConfigStatus, DashboardEvent, DashboardSource, StopResult, TaskView } from './source.js';
import type { RepoView } from './state.js';

/** What the gateway hands the dashboard. */
export interface GatewaySourceOptions {
  version: string;
  tracker: TaskTracker;
  /** The config currently in force (a LoadedConfig fits): path, whether the file exists, SHA-256 of its bytes (`''` without a file). */
  config: () => { path: string; exists: boolean; hash: string };
  repos: () => RepoView[];
  /** Interrupts a running task; resolves false when the task was not running. Omit when unsupported. */
  stop?: (taskId: string) => Promise<boolean>;
}

/** A {@link DashboardSource} plus the hooks the gateway calls as things happen. */
export interface GatewaySource {
  source: DashboardSource;
  /** Pass as the TaskTracker's `onChange`. */
  taskChanged: (task: Readonly<TrackedTask>) => void;
  /** Pass as the service's `onRunEvent`. */
  runEvent: (event: GatewayRunEvent) => void;
  /** Call after every successful config (re)load. */
  configLoaded: () => void;
  /** Call when a reload was refused and the running config kept. */
  reloadFailed: (message: string) => void;
}

/** Converts a tracked task to its dashboard view. */
export function taskView(task: Readonly<TrackedTask>): TaskView {
  return {
    taskId: task.taskId,
    repoId: task.repoId,
    conversationId: task.conversationId,
    title: task.title,
    sender: task.sender,
    state: task.state,
    reason: task.reason,
    queuedAt: task.queuedAt.toISOString(),
    startedAt: task.startedAt?.toISOString(),
    finishedAt: task.finishedAt?.toISOString(),
  };
}

/** Adapts the gateway's tracker, repos and run events to the dashboard. */
export function gatewaySource(options: GatewaySourceOptions): GatewaySource {
  const listeners = new Set<(event: DashboardEvent) => void>();
  let generation = 0;
  let lastReloadError: string | undefined;
  const emit = (event: DashboardEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const status = (): ConfigStatus => {
    const config = options.config();
    return {
      path: config.path,
      generation,
      fileHash: config.hash === '' ? undefined : config.hash,
      lastReloadError,
    };
  };
  const source: DashboardSource = {
    version: () => options.version,
    configPath: () => options.config().path,
    configExists: () => options.config().exists,
    repos: options.repos,
    tasks: () => options.tracker.list().map(taskView),
    task: (taskId) => {
      const task = options.tracker.get(taskId);
      return task === undefined ? undefined : taskView(task);
    },
    counts: () => options.tracker.counts(),
    stopTask: async (taskId): Promise<StopResult> => {
      const task = options.tracker.get(taskId);
      if (task === undefined) return 'not_found';
      if (task.state !== 'running') return 'not_running';
      if (options.stop === undefined) return 'unsupported';
      return (await options.stop(taskId)) ? 'stopping' : 'not_running';
    },
    configStatus: status,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    taskChanged: (task) => emit({ type: 'task', task: taskView(task) }),
    runEvent: (event) => emit({ type: 'run', taskId: event.taskId, conversationId: event.conversationId, event: event.event }),
    configLoaded: () => {
      generation++;
      lastReloadError = undefined;
      emit({ type: 'config', status: status() });
    },
    reloadFailed: (message) => {
      lastReloadError = message;
      emit({ type: 'config', status: status() });
    },
  };
}
