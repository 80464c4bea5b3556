import type { RepoView, TaskCounts } from './state.js';

/** A task as the dashboard and its JSON API show it (dates as ISO strings). */
export interface TaskView {
  taskId: string;
  repoId: string;
  conversationId: string | undefined;
  title: string;
  sender: string;
  state: 'queued' | 'running' | 'completed' | 'failed';
  reason: string | undefined;
  queuedAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
}

/** What asking to stop a task came to. Expected outcomes, not errors. */
export type StopResult = 'stopping' | 'not_found' | 'not_running' | 'unsupported';

/** The loaded configuration as `/api/status` reports it. */
export interface ConfigStatus {
  path: string;
  /** Increases by one on every successful (re)load. */
  generation: number;
  /** sha256 of the file as loaded; undefined when there is no file. */
  fileHash: string | undefined;
  /** Why the last reload was refused; undefined once a reload succeeds. */
  lastReloadError: string | undefined;
}

/** One change pushed to live views. */
export type DashboardEvent =
  | { type: 'task'; task: TaskView }
  | { type: 'run'; taskId: string; conversationId: string; event: unknown }
  | { type: 'config'; status: ConfigStatus };

/**
 * Everything the dashboard reads from or asks of the running service. The
 * gateway provides it (see gateway-source.ts); tests provide their own.
 */
export interface DashboardSource {
  version(): string;
  configPath(): string;
  configExists(): boolean;
  repos(): RepoView[];
  /** Live and recently finished tasks, oldest first. */
  tasks(): TaskView[];
  task(taskId: string): TaskView | undefined;
  counts(): TaskCounts;
  stopTask(taskId: string): Promise<StopResult>;
  configStatus(): ConfigStatus;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (event: DashboardEvent) => void): () => void;
}
