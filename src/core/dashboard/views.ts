/**
 * The dashboard's wire types: what its JSON API, its event stream and its
 * pages show. Plain data without imports, so the browser modules
 * (`browser/`) type-check against the same definitions the server sends.
 */

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

/** One item of Claude's plan (its latest TodoWrite list), as the task page shows it. */
export interface PlanItemView {
  /** What is to be done ("Run the tests"). */
  content: string;
  /** The same while it is being done ("Running the tests"), when Claude gave one. */
  activeForm?: string;
  status: 'pending' | 'in_progress' | 'completed';
}

/** Task counts by status, as `/api/health` reports them. */
export interface TaskCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
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
  /** Requests approved from the thread (`allow N`) still in effect for its next runs. */
  approvals?: { method: string; host: string; pathPrefix: string; approvedBy: string; expiresAt: string }[];
}

/** One line of a task's network log. */
export interface NetworkLineView {
  /** `ALLOWED`, `BLOCKED`, `ERROR`, `STRIPPED`, `COLLAPSED`, `WARNING` (e.g. `WARNING: ...` clock skew), `DNS`, `TASK_START`, or `OTHER`. */
  kind: string;
  line: string;
}

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

/** A channel of a repo and its connection state. */
export interface ChannelView {
  kind: 'email' | 'slack';
  /** `starting`, `connected`, `idle` (IMAP IDLE), `polling`, `backoff` (reconnecting), `stopped` or `failed`. */
  state: string;
  /** The last connection error, in the server's words. */
  lastError?: string;
  /** When the next reconnect attempt happens, while in backoff (ISO 8601). */
  retryAt?: string;
}

/** A message the gateway refused: never answered, shown without its body. */
export interface RejectedMessageView {
  /** When it was refused (ISO 8601). */
  at: string;
  channel: 'email' | 'slack';
  sender: string;
  /** `auth_failed`: the sender could not be authenticated (DMARC); `unauthorized`: authenticated but not allowed. */
  reason: 'auth_failed' | 'unauthorized';
  /** Why, e.g. the DMARC result or the rule that refused it. */
  detail: string;
  /** Subject or first words of the thread title, when the channel has one. */
  subject?: string;
}

/** The error that keeps a repo from running, or its last one. */
export interface RepoErrorView {
  /** The error's class or code, e.g. `GatewayError` or `IMAP_AUTH_FAILED`. */
  type: string;
  message: string;
  /** When it happened (ISO 8601). */
  at: string;
}

/**
 * A scheduled task of a repo as the repo page lists it. The scheduler fills
 * these in; the page renders whatever it is given.
 */
export interface ScheduleView {
  name: string;
  /** The schedule as written (cron expression or interval). */
  schedule: string;
  /** Next run (ISO 8601), when one is planned. */
  nextRunAt?: string;
  /** Last run (ISO 8601) and how it ended. */
  lastRunAt?: string;
  lastOutcome?: string;
}

/** A configured repo as `/api/repos` and the repo pages show it. */
export interface RepoView {
  id: string;
  /**
   * `running`; `starting`; `failed` (not running: see `lastError`, retried
   * with backoff and on every reload); `stopping` (removed from the config,
   * finishing its tasks).
   */
  state: 'running' | 'starting' | 'failed' | 'stopping';
  channels: ChannelView[];
  /** Why the repo is not running, or its last start failure. */
  lastError?: RepoErrorView;
  /** When a failed repo is tried again (ISO 8601). */
  nextRetryAt?: string;
  /** A restart waiting for the repo's tasks to finish, with why. */
  reloadPending?: string;
  /** Recent refused messages, newest first. */
  rejected: RejectedMessageView[];
  /** Scheduled tasks, when the service has a scheduler. */
  schedules?: ScheduleView[];
}

/** `/api/health`'s verdict. */
export type HealthStatus = 'ok' | 'degraded' | 'error';

/** A reason the service is not fully healthy. */
export interface HealthProblem {
  /** The repo concerned; absent for the config file itself. */
  repo?: string;
  /** `repo_failed`, `repo_starting` (not taking messages yet), `channel_down` or `config_invalid`. */
  kind: 'repo_failed' | 'repo_starting' | 'channel_down' | 'config_invalid';
  /** The channel concerned, for `channel_down`. */
  channel?: 'email' | 'slack';
  reason: string;
}

/** The body of `/api/health`. */
export interface HealthView {
  status: HealthStatus;
  version: string;
  repos: { configured: number; running: number; failed: number };
  problems: HealthProblem[];
  /** Server settings waiting for every task to end before they apply. */
  reloadPending: boolean;
  tasks: TaskCounts;
}
