import type { Receipt } from '../receipt/index.js';
import type { RunEvent } from '../run/index.js';
import type { ConfigStatus, ConversationView, HealthView, NetworkLineView, PlanItemView, RepoView, ReplyView, TaskCounts, TaskView } from './views.js';

export type { ConfigStatus, ConversationView, NetworkLineView, PlanItemView, ReplyView, TaskView } from './views.js';

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
  /** Claude's latest plan: live while the task runs, else as recorded; undefined when it wrote none. */
  plan?: PlanItemView[];
  /** What the run reached and spent; undefined while it runs or when it was recorded without one. */
  receipt?: Receipt;
}

/** What "Run now" of a schedule came to: started, no such schedule, already running, or its repo is stopping. */
export type RunScheduleResult = 'started' | 'unknown' | 'running' | 'stopped' | 'unsupported';

/** A blocked request of a running task waiting at its proxy for an answer (`network.approval_hold_seconds`). */
export interface HoldView {
  holdId: string;
  method: string;
  host: string;
  path: string;
  /** When the hold ends with a 403 if nobody answers (ISO 8601). */
  expiresAt: string;
}

/** What an answer to a held request came to: sent to the proxy, too late (answered or ended), no such waiting hold. */
export type HoldAnswerResult = 'decided' | 'already-decided' | 'unknown';

/** One approved request of a conversation: exactly this method, host and path (any query). */
export interface ApprovalTarget {
  method: string;
  host: string;
  pathPrefix: string;
}

/** What revoking an approval came to: ended, no such conversation, no such approval in effect. */
export type RevokeApprovalResult = 'revoked' | 'conversation_not_found' | 'approval_not_found';

/** What asking to stop a task came to. Expected outcomes, not errors. */
export type StopResult = 'stopping' | 'not_found' | 'not_running' | 'unsupported';

/** One change pushed to live views. */
export type DashboardEvent =
  | { type: 'task'; task: TaskView }
  | { type: 'run'; taskId: string; conversationId: string; event: RunEvent }
  /** Claude wrote a new plan (a TodoWrite list) in a running task; it replaces the previous one. */
  | { type: 'plan'; taskId: string; plan: PlanItemView[] }
  | { type: 'config'; status: ConfigStatus }
  | { type: 'repo'; repo: RepoView };

/**
 * Everything the dashboard reads from or asks of the running service. The
 * gateway provides it (see gateway/dashboard-source.ts); tests provide their own.
 */
export interface DashboardSource {
  version(): string;
  configPath(): string;
  configExists(): boolean;
  /** Configured repos (and removed ones still finishing), with their state. */
  repos(): RepoView[];
  /**
   * The service's health as `/api/health` reports it. Absent: `ok` while the
   * dashboard answers (a source without repos to judge).
   */
  health?(): HealthView;
  /** Live and recently finished tasks, oldest first. */
  tasks(): TaskView[];
  task(taskId: string): TaskView | undefined;
  counts(): TaskCounts;
  /** Stops a running task or cancels a queued one. */
  stopTask(taskId: string): Promise<StopResult>;
  /** The held requests of task `taskId` waiting for an answer. Absent: holds cannot be answered here. */
  holds?(taskId: string): HoldView[];
  /** Allows or denies a waiting held request of task `taskId`. Absent: holds cannot be answered here. */
  answerHold?(taskId: string, holdId: string, allow: boolean): HoldAnswerResult;
  /** "Run now" of a repo's schedule. Absent: not supported. */
  runSchedule?(repoId: string, name: string): Promise<RunScheduleResult>;
  /**
   * Finished tasks read back from disk that {@link tasks} does not hold (those
   * of earlier starts of the service), newest first. Absent: no history.
   */
  pastTasks?(): Promise<TaskView[]>;
  /** A task (live or past) with its run as recorded on disk; undefined when unknown. */
  taskRecord?(taskId: string): Promise<TaskRecordView | undefined>;
  /** A conversation by id; undefined when no configured repo has it. */
  conversation?(conversationId: string): Promise<ConversationView | undefined>;
  /** Ends an approval of a conversation at once (its next runs no longer get it). Absent: not supported. */
  revokeApproval?(conversationId: string, target: ApprovalTarget): Promise<RevokeApprovalResult>;
  configStatus(): ConfigStatus;
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (event: DashboardEvent) => void): () => void;
}
