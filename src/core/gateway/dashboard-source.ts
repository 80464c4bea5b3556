import type { ReplyRecord } from '../conversation/index.js';
import { receiptForMessages } from '../receipt/index.js';
import type { ApprovalTarget, ConfigStatus, ConversationHistory, ConversationView, DashboardEvent, DashboardSource, HoldView, PlanItemView, RepoView, RevokeApprovalResult, StopResult, StoredConversation, TaskRecordView, TaskView } from '../dashboard/index.js';
import type { Logger } from '../log/index.js';
import { alignEvents, alignNetworkLog, eventView, parsePastTaskId, pastTaskId, pastTaskView, replyView } from './history-views.js';
import type { HoldQuestion, HoldRouter } from './hold-router.js';
import type { GatewayRunEvent } from './repo-handler.js';
import { latestPlan, planOf } from './task-plan.js';
import type { TaskTracker, TrackedTask } from './task-tracker.js';

/** Who a hold answered on the dashboard was answered by, as the Slack prompt and the log say it (the dashboard knows no user). */
const DASHBOARD_ANSWERER = 'the Airut dashboard';

/** What the gateway hands the dashboard. */
export interface GatewaySourceOptions {
  version: string;
  tracker: TaskTracker;
  /** The config currently in force (a LoadedConfig fits): path, whether the file exists, SHA-256 of its bytes (`''` without a file). */
  config: () => { path: string; exists: boolean; hash: string };
  repos: () => RepoView[];
  /** Stops a running task or cancels a queued one; resolves false when it was neither. Omit when unsupported. */
  stop?: (taskId: string) => Promise<boolean>;
  /** "Run now" of a schedule. Omit when unsupported. */
  runSchedule?: DashboardSource['runSchedule'];
  /** The hold router of a repo (undefined when its holds are off). Omit when holds cannot be answered here. */
  holdRouter?: (repoId: string) => HoldRouter | undefined;
  /** Conversations on disk, for tasks of earlier starts and the conversation page. Omit for none. */
  history?: ConversationHistory;
  /** Where operator actions (revoking an approval) are logged. */
  logger?: Logger;
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

/** A waiting hold as the dashboard shows it. */
function holdView(question: HoldQuestion): HoldView {
  return { holdId: question.holdId, method: question.method, host: question.host, path: question.path, expiresAt: question.expiresAt.toISOString() };
}

/** Adapts the gateway's tracker, repos and run events to the dashboard. */
export function gatewaySource(options: GatewaySourceOptions): GatewaySource {
  const listeners = new Set<(event: DashboardEvent) => void>();
  /** The latest plan of each task still running; a finished task's is read from its record. */
  const plans = new Map<string, PlanItemView[]>();
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
    ...(options.runSchedule === undefined ? {} : { runSchedule: options.runSchedule }),
    ...(options.holdRouter === undefined ? {} : {
      holds: (taskId) => routerOf(taskId)?.waiting(taskId).map(holdView) ?? [],
      answerHold: (taskId, holdId, allow) => routerOf(taskId)?.answer(taskId, holdId, allow, DASHBOARD_ANSWERER) ?? 'unknown',
    }),
    stopTask: async (taskId): Promise<StopResult> => {
      const task = options.tracker.get(taskId);
      if (task === undefined) return parsePastTaskId(taskId) !== undefined && (await pastTask(taskId)) !== undefined ? 'not_running' : 'not_found';
      if (task.state !== 'running' && task.state !== 'queued') return 'not_running';
      if (options.stop === undefined) return 'unsupported';
      return (await options.stop(taskId)) ? 'stopping' : 'not_running';
    },
    ...(options.history === undefined ? {} : {
      pastTasks: async () => {
        const out: TaskView[] = [];
        for (const stored of await (options.history as ConversationHistory).recent()) out.push(...pastTasksOf(stored));
        return out.sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''));
      },
      taskRecord,
      conversation,
      revokeApproval,
    }),
    configStatus: status,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  /** The hold router of a tracked task's repo. */
  function routerOf(taskId: string): HoldRouter | undefined {
    const task = options.tracker.get(taskId);
    return task === undefined ? undefined : options.holdRouter?.(task.repoId);
  }

  /** Index of the reply a tracked task produced: the one answering its messages. */
  function replyIndexOf(task: Readonly<TrackedTask>, stored: StoredConversation): number {
    return stored.record.replies.findIndex((reply) => reply.messageIds.some((id) => task.messageIds.includes(id)));
  }

  /** Replies of `stored` that no tracked task stands for, as tasks. */
  function pastTasksOf(stored: StoredConversation): TaskView[] {
    const tracked = options.tracker.list().filter((t) => t.conversationId === stored.conversationId && t.repoId === stored.repoId);
    const covered = new Set(tracked.map((t) => replyIndexOf(t, stored)));
    return stored.record.replies.flatMap((_reply, index) => covered.has(index) ? [] : [pastTaskView(stored, index)]);
  }

  async function pastTask(taskId: string): Promise<{ stored: StoredConversation; index: number } | undefined> {
    const parsed = parsePastTaskId(taskId);
    if (parsed === undefined || options.history === undefined) return undefined;
    const stored = await options.history.find(parsed.conversationId);
    return stored?.record.replies[parsed.index] === undefined ? undefined : { stored, index: parsed.index };
  }

  async function taskRecord(taskId: string): Promise<TaskRecordView | undefined> {
    const history = options.history as ConversationHistory;
    const live = options.tracker.get(taskId);
    let found: { stored: StoredConversation; index: number } | undefined;
    if (live !== undefined) {
      const stored = live.conversationId === undefined ? undefined : await history.find(live.conversationId, live.repoId);
      const index = stored === undefined ? -1 : replyIndexOf(live, stored);
      if (stored === undefined || index === -1 || live.state === 'queued' || live.state === 'running') {
        const plan = plans.get(taskId);
        return { task: taskView(live), reply: undefined, events: [], network: [], ...(plan === undefined ? {} : { plan }) };
      }
      found = { stored, index };
    } else {
      found = await pastTask(taskId);
      if (found === undefined) return undefined;
    }
    const { stored, index } = found;
    const replies = stored.record.replies;
    const events = alignEvents(replies, await history.events(stored))[index] ?? [];
    const network = alignNetworkLog(replies, await history.networkLog(stored))[index] ?? [];
    const plan = latestPlan(events);
    const receipt = receiptForMessages(await history.receipts(stored), (replies[index] as ReplyRecord).messageIds);
    return {
      task: live === undefined ? pastTaskView(stored, index) : taskView(live),
      reply: replyView(replies[index] as ReplyRecord, taskId),
      events: events.map(eventView),
      network,
      ...(plan === undefined ? {} : { plan }),
      ...(receipt === undefined ? {} : { receipt }),
    };
  }

  async function revokeApproval(conversationId: string, target: ApprovalTarget): Promise<RevokeApprovalResult> {
    const stored = await (options.history as ConversationHistory).find(conversationId);
    if (stored === undefined) return 'conversation_not_found';
    if (!(await (options.history as ConversationHistory).revokeApproval(stored, target, new Date()))) return 'approval_not_found';
    options.logger?.info('approval revoked on the dashboard', { repo: stored.repoId, conversation: conversationId, request: `${target.method} ${target.host}${target.pathPrefix}` });
    return 'revoked';
  }

  async function conversation(conversationId: string): Promise<ConversationView | undefined> {
    const history = options.history as ConversationHistory;
    const tracked = options.tracker.list().filter((t) => t.conversationId === conversationId);
    const stored = await history.find(conversationId, tracked[0]?.repoId);
    if (stored === undefined && tracked.length === 0) return undefined;
    const past = stored === undefined ? [] : pastTasksOf(stored);
    const tasks = [...past, ...tracked.map(taskView)].sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
    const replies = (stored?.record.replies ?? []).map((reply, index) => {
      const owner = tracked.find((t) => stored !== undefined && replyIndexOf(t, stored) === index);
      return replyView(reply, owner?.taskId ?? pastTaskId(conversationId, index));
    });
    return {
      conversationId,
      repoId: stored?.repoId ?? tracked[0]?.repoId ?? '',
      model: stored?.record.model,
      tasks,
      replies,
      approvals: stored === undefined ? [] : await history.approvals(stored, new Date()),
    };
  }

  return {
    source,
    taskChanged: (task) => {
      if (task.state === 'completed' || task.state === 'failed') plans.delete(task.taskId);
      emit({ type: 'task', task: taskView(task) });
    },
    runEvent: (event) => {
      emit({ type: 'run', taskId: event.taskId, conversationId: event.conversationId, event: event.event });
      const plan = event.event.type === 'claude' ? planOf(event.event.event) : undefined;
      if (plan === undefined) return;
      plans.set(event.taskId, plan);
      emit({ type: 'plan', taskId: event.taskId, plan });
    },
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
