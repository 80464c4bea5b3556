import { randomBytes } from 'node:crypto';

/** Where a task is. */
export type TaskState = 'queued' | 'running' | 'completed' | 'failed';

/**
 * Why a task ended. `success` counts as completed; every other reason as failed.
 * `interrupted`: the service shut down during the run. `stopped`: the
 * operator stopped it from the dashboard (running or still queued).
 * `proxy_failed`: the network sandbox's proxy died or stopped answering, and the run was ended for it.
 * `budget_exceeded`: the proxy refused a request because one of the repo's budgets was reached.
 */
export type CompletionReason =
  | 'success'
  | 'timeout'
  | 'execution_failed'
  | 'proxy_failed'
  | 'budget_exceeded'
  | 'internal_error'
  | 'channel_error'
  | 'empty_message'
  | 'interrupted'
  | 'stopped';

/** One task: a batch of messages answered by one run. */
export interface TrackedTask {
  /** 12 hex characters, unique per process. */
  taskId: string;
  repoId: string;
  conversationId: string | undefined;
  title: string;
  sender: string;
  messageIds: string[];
  state: TaskState;
  reason: CompletionReason | undefined;
  queuedAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
}

/** Task counts as `/api/health` reports them. */
export interface TaskCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
}

/** What {@link TaskTracker.add} needs. */
export interface NewTask {
  repoId: string;
  conversationId: string | undefined;
  title: string;
  sender: string;
  messageId: string;
}

/** Options of a {@link TaskTracker}. */
export interface TaskTrackerOptions {
  clock?: () => Date;
  /** Finished tasks kept for listing (the counts cover all of them). Default 100. */
  keepFinished?: number;
  /** Told about every change, e.g. to push it to the dashboard. */
  onChange?: (task: Readonly<TrackedTask>) => void;
}

/**
 * The gateway's view of its tasks: live ones and the most recent finished
 * ones, with running totals for health checks.
 */
export class TaskTracker {
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly finishedOrder: string[] = [];
  private completedTotal = 0;
  private failedTotal = 0;
  private readonly clock: () => Date;
  private readonly keepFinished: number;

  constructor(private readonly options: TaskTrackerOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.keepFinished = options.keepFinished ?? 100;
  }

  /** Records a queued task and returns its id. */
  add(task: NewTask): string {
    const taskId = randomBytes(6).toString('hex');
    const tracked: TrackedTask = {
      taskId,
      repoId: task.repoId,
      conversationId: task.conversationId,
      title: task.title,
      sender: task.sender,
      messageIds: [task.messageId],
      state: 'queued',
      reason: undefined,
      queuedAt: this.clock(),
      startedAt: undefined,
      finishedAt: undefined,
    };
    this.tasks.set(taskId, tracked);
    this.changed(tracked);
    return taskId;
  }

  /** Adds a message merged into a queued task; the task takes the newest title. */
  merge(taskId: string, messageId: string, title: string): void {
    const task = this.tasks.get(taskId);
    if (task === undefined) return;
    task.messageIds.push(messageId);
    if (title !== '') task.title = title;
    this.changed(task);
  }

  /** Marks a queued task running in `conversationId`. */
  start(taskId: string, conversationId: string): void {
    const task = this.tasks.get(taskId);
    if (task?.state !== 'queued') return;
    task.state = 'running';
    task.conversationId = conversationId;
    task.startedAt = this.clock();
    this.changed(task);
  }

  /** Ends a task; ending it again changes nothing. */
  finish(taskId: string, reason: CompletionReason): void {
    const task = this.tasks.get(taskId);
    if (task === undefined || task.state === 'completed' || task.state === 'failed') return;
    task.state = reason === 'success' ? 'completed' : 'failed';
    task.reason = reason;
    task.finishedAt = this.clock();
    if (reason === 'success') this.completedTotal++;
    else this.failedTotal++;
    this.finishedOrder.push(taskId);
    while (this.finishedOrder.length > this.keepFinished) {
      const evicted = this.finishedOrder.shift();
      if (evicted !== undefined) this.tasks.delete(evicted);
    }
    this.changed(task);
  }

  /** One task, or undefined when unknown or evicted. */
  get(taskId: string): Readonly<TrackedTask> | undefined {
    return this.tasks.get(taskId);
  }

  /** Live and recently finished tasks, oldest first. */
  list(): Readonly<TrackedTask>[] {
    return [...this.tasks.values()];
  }

  /** Queued and running now; completed and failed since start. */
  counts(): TaskCounts {
    let queued = 0;
    let running = 0;
    for (const task of this.tasks.values()) {
      if (task.state === 'queued') queued++;
      else if (task.state === 'running') running++;
    }
    return { queued, running, completed: this.completedTotal, failed: this.failedTotal };
  }

  private changed(task: TrackedTask): void {
    this.options.onChange?.({ ...task, messageIds: [...task.messageIds] });
  }
}
