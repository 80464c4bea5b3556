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

/** One recorded reply (one finished run) of a conversation, from `conversation.json`. */
export interface ReplyView {
  /** The task that produced it. */
  taskId: string;
  /** When the reply was recorded (ISO 8601). */
  timestamp: string;
  durationMs: number;
  costUsd: number;
  numTurns: number;
  isError: boolean;
  usage: Record<string, number>;
  sessionId: string;
  requestText: string;
  responseText: string;
}

/** A conversation with all its tasks (live and recorded) and its replies, oldest first. */
export interface ConversationView {
  conversationId: string;
  repoId: string;
  model: string | undefined;
  tasks: TaskView[];
  replies: ReplyView[];
}

/** One line of a task's network log. */
export interface NetworkLineView {
  /** `ALLOWED`, `BLOCKED`, `ERROR`, `STRIPPED`, `COLLAPSED`, `DNS` or `TASK_START`. */
  kind: string;
  line: string;
}

/**
 * A task's run as recorded on disk: its reply, its part of `events.jsonl`
 * (stream-json events without their raw line) and of `network-sandbox.log`.
 * A task that has not finished has no reply and no events yet.
 */
export interface TaskRecordView {
  task: TaskView;
  reply: ReplyView | undefined;
  events: unknown[];
  network: NetworkLineView[];
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
 * gateway provides it (see gateway/dashboard-source.ts); tests provide their own.
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
  /** Stops a running task or cancels a queued one. */
  stopTask(taskId: string): Promise<StopResult>;
  /**
   * Finished tasks read back from disk that {@link tasks} does not hold (those
   * of earlier starts of the service), newest first. Absent: no history.
   */
  pastTasks?(): Promise<TaskView[]>;
  /** A task (live or past) with its run as recorded on disk; undefined when unknown. */
  taskRecord?(taskId: string): Promise<TaskRecordView | undefined>;
  /** A conversation by id; undefined when no configured repo has it. */
  conversation?(conversationId: string): Promise<ConversationView | undefined>;
  configStatus(): ConfigStatus;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (event: DashboardEvent) => void): () => void;
}
