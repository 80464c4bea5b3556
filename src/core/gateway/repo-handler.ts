import type { ExecutionResult } from '../../sandbox/index.js';
import type { ChannelAdapter, ChannelKind, ChannelState, IncomingMessage, TaskEnd } from '../channels/index.js';
import { isConversationId, lastSuccessfulResponse, resumeSessionId, type ConversationStore, type GitMirror } from '../conversation/index.js';
import { existsSync } from 'node:fs';
import { pathExists } from '../fs/exists.js';
import type { Logger } from '../log/index.js';
import { stoppedResult, type RunEvent } from '../pipeline/index.js';
import { approvableEntries, approvalDocuments, approvalsForRun, DEFAULT_APPROVAL_SETTINGS, grantText, nothingGranted, recordLastBlocked, type ApprovalSettings, type RunApprovals } from '../approvals/index.js';
import { appendReceipt, ReceiptCollector } from '../receipt/index.js';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { ConversationQueue } from './conversation-queue.js';
import { GatewayError } from './error.js';
import type { HoldPlaces } from './hold-places.js';
import { saveAttachments } from './save-attachments.js';
import type { MessageLedger } from './message-ledger.js';
import { readOutbox } from './outbox.js';
import { ReplyDelivery } from './reply-delivery.js';
import { buildPrompt, buildRecoveryPrompt, type PromptContext, type PromptEntry } from './prompt.js';
import { planReply } from './reply-plan.js';
import { planOf } from './task-plan.js';
import { runScheduledTask, type ScheduledTask } from './scheduled-run.js';
import type { FireResult } from '../scheduler/index.js';
import { acknowledgementText, EMPTY_MESSAGE_TEXT, internalErrorText, stoppedText } from './reply-text.js';
import type { TaskRunner } from './task-runner.js';
import type { CompletionReason, TaskTracker } from './task-tracker.js';

/** The repo settings a run reads; swapped as a whole on config reload. */
export interface RepoSettings {
  /** Model of new conversations without a channel hint. */
  model: string;
  effort?: string;
  /** The run's time limit, quoted in the timeout reply. */
  timeoutSeconds?: number;
  /** Show the cost in reply footers (false when Claude runs on a subscription). */
  showCost: boolean;
  /** `dashboard.base_url`, for links in acknowledgements and footers. */
  dashboardBaseUrl?: string;
  /** Channels that send a task-started acknowledgement. */
  acknowledge: Partial<Record<ChannelKind, boolean>>;
  /** `network.approvals` and `network.approval_ttl`; default: exact, 24 h. */
  approvals?: ApprovalSettings;
}

/** A run event with the ids of the task it belongs to. */
export interface GatewayRunEvent {
  repoId: string;
  conversationId: string;
  taskId: string;
  event: RunEvent;
}

/** What a {@link RepoHandler} works with. */
export interface RepoHandlerOptions {
  repoId: string;
  settings: RepoSettings;
  store: ConversationStore;
  mirror: GitMirror;
  runner: TaskRunner;
  ledger: MessageLedger;
  channels: readonly ChannelAdapter[];
  /** Shared by every repo of the server (`execution.max_concurrent`). */
  limit: ConcurrencyLimit;
  tracker: TaskTracker;
  logger: Logger;
  onRunEvent?: (event: GatewayRunEvent) => void;
  /** The clock approvals are granted and expire by. Default: the system clock. */
  now?: () => Date;
  /** Where held requests (`network.approval_hold_seconds`) are asked; absent: holds are not asked. */
  holds?: HoldPlaces;
}

const RECOVERABLE = new Set(['prompt_too_long', 'session_corrupted']);

/** A batch being worked on: its tracker task, how to abort it, and whether the operator asked to. */
interface ActiveRun {
  taskId: string;
  controller: AbortController;
  stopRequested: boolean;
}

/**
 * The message pipeline of one repo: takes authorized messages from its
 * channels, runs one task at a time per conversation (merging what arrives
 * meanwhile), and answers in the thread.
 */
export class RepoHandler {
  readonly repoId: string;
  private settings: RepoSettings;
  private readonly queue: ConversationQueue<IncomingMessage>;
  /** Tracker task of each conversation's waiting batch. */
  private readonly waitingTask = new Map<string, string>();
  /** Message ids taken and not yet answered, so a redelivery is not queued twice. */
  private readonly inFlight = new Set<string>();
  private readonly running = new Map<string, ActiveRun>();
  /** Scheduled runs by tracker task, from their queueing until they are over. */
  private readonly scheduledRuns = new Map<string, ActiveRun & { done: Promise<unknown> }>();
  private stopping = false;
  private readonly log: Logger;
  private readonly replies: ReplyDelivery;

  constructor(private readonly options: RepoHandlerOptions) {
    this.repoId = options.repoId;
    this.settings = options.settings;
    this.log = options.logger.child({ repo: options.repoId });
    this.replies = new ReplyDelivery({ repoId: options.repoId, store: options.store, ledger: options.ledger, channels: options.channels, log: this.log });
    this.queue = new ConversationQueue(options.limit, (id, batch) => this.runBatch(id, batch), (id, error) => {
      this.log.error('task failed unexpectedly', { conversation: id, error: describe(error) });
    });
  }

  /** Refreshes the mirror (creating it on first start), then starts every channel. */
  async start(): Promise<void> {
    const { store, mirror } = this.options;
    const leftovers = await store.removeWorkspaceLeftovers();
    if (leftovers > 0) this.log.warn('removed workspace clones a crash cut short', { count: leftovers });
    await mirror.refresh();
    await this.adoptWorkspaces();
    for (const channel of this.options.channels) {
      await channel.start((message) => this.take(message));
      this.log.info('channel started', { channel: channel.kind });
    }
  }

  /**
   * Workspaces without a completion marker (made before there was one, or
   * renamed into place just before a crash) are marked when they are whole;
   * the others are made again before their next run.
   */
  private async adoptWorkspaces(): Promise<void> {
    const { store, mirror } = this.options;
    for (const id of await store.list()) {
      const layout = store.layout(id);
      if (!(await pathExists(layout.workspace)) || (await pathExists(layout.workspaceMarker))) continue;
      const adopted = await mirror.adoptWorkspace(layout.workspace, layout.workspaceMarker);
      if (adopted) this.log.info('workspace found whole and marked complete', { conversation: id });
      else this.log.warn('workspace is incomplete; it is made again before its next run', { conversation: id });
    }
  }

  /** Settings for runs that start from now on. */
  updateSettings(settings: RepoSettings): void {
    this.settings = settings;
  }

  /** Connection state of each channel, for the dashboard and health checks. */
  channelStates(): ({ kind: ChannelKind } & ChannelState)[] {
    return this.options.channels.map((c) => ({ kind: c.kind, ...c.state() }));
  }

  /**
   * Housekeeping: each channel forgets what it keeps about conversations
   * that are gone (Slack's thread map). One made after the store was
   * listed (a new message's, a schedule's) is looked for again before its
   * entries go.
   */
  async pruneChannels(): Promise<number> {
    const { store } = this.options;
    const stored = new Set(await store.list());
    const exists = (id: string): boolean => stored.has(id) || this.queue.has(id) || (isConversationId(id) && existsSync(store.layout(id).dir));
    let removed = 0;
    for (const channel of this.options.channels) removed += await channel.prune?.(exists) ?? 0;
    return removed;
  }

  /** True when no run of this repo is running or waiting for a slot. */
  isIdle(): boolean {
    return this.running.size === 0 && this.waitingTask.size === 0 && this.scheduledRuns.size === 0;
  }

  /** Resolves once no run of this repo is running or waiting (at once when idle). */
  whenIdle(): Promise<void> {
    return Promise.all([this.queue.idle(), ...[...this.scheduledRuns.values()].map((r) => r.done)]).then(() => undefined);
  }

  /** Conversations with a run in progress. */
  runningConversations(): string[] {
    return this.queue.runningKeys();
  }

  /**
   * Stops taking messages, lets running tasks finish for up to `timeoutMs`,
   * then stops them (their users get an "interrupted" reply), and finally
   * stops the channels. Waiting batches are not run: their messages were not
   * completed, so the channels offer them again after a restart.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    const dropped = this.queue.close();
    for (const message of dropped) this.inFlight.delete(message.messageId);
    for (const [, taskId] of this.waitingTask) this.options.tracker.finish(taskId, 'interrupted');
    this.waitingTask.clear();
    const idle = this.whenIdle();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      idle.then(() => true),
      new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.log.warn('tasks still running at the shutdown timeout; stopping them', { conversations: this.queue.runningKeys().join(',') });
      for (const run of [...this.running.values(), ...this.scheduledRuns.values()]) run.controller.abort();
      await idle;
    }
    for (const channel of this.options.channels) {
      await channel.stop().catch((error: unknown) => this.log.warn('channel did not stop cleanly', { channel: channel.kind, error: describe(error) }));
    }
  }

  /**
   * Stops one task of this repo (the dashboard's Stop). A running task's run
   * is aborted, which stops its container; its user is told it was stopped
   * and that the work is kept. A queued task is taken out of the queue and
   * answered the same way without running. Returns false when the task is not
   * live here (unknown, another repo's, or already finished).
   */
  stopTask(taskId: string): boolean {
    const scheduled = this.scheduledRuns.get(taskId);
    if (scheduled !== undefined) {
      scheduled.stopRequested = true;
      scheduled.controller.abort();
      this.log.info('scheduled task stop requested', { task: taskId });
      return true;
    }
    for (const run of this.running.values()) {
      if (run.taskId !== taskId) continue;
      run.stopRequested = true;
      run.controller.abort();
      this.log.info('task stop requested', { task: taskId });
      return true;
    }
    for (const [conversationId, waiting] of this.waitingTask) {
      if (waiting !== taskId) continue;
      this.waitingTask.delete(conversationId);
      const messages = this.queue.cancel(conversationId);
      this.log.info('queued task cancelled', { task: taskId, conversation: conversationId, messages: messages.length });
      void this.answerCancelled(conversationId, taskId, messages);
      return true;
    }
    return false;
  }

  /**
   * Runs one scheduled task (see {@link runScheduledTask}): tracked as
   * `scheduled: <name>` from sender `scheduler`, waiting for a slot of
   * `execution.max_concurrent` like any task, stoppable from the dashboard,
   * and waited for (or interrupted) by {@link stop}. Resolves when it is over.
   */
  async runScheduled(task: ScheduledTask): Promise<FireResult> {
    if (this.stopping) return { outcome: 'failed', error: `repo ${this.repoId} is shutting down` };
    const { tracker, limit } = this.options;
    const taskId = tracker.add({ repoId: this.repoId, conversationId: undefined, title: `scheduled: ${task.name}`, sender: 'scheduler', messageId: `schedule:${task.fireKey}` });
    const log = this.log.child({ task: taskId, schedule: task.name });
    const entry = { taskId, controller: new AbortController(), stopRequested: false, done: Promise.resolve() as Promise<unknown> };
    const run = (async (): Promise<FireResult> => {
      const release = await limit.acquire();
      let reason: CompletionReason = 'internal_error';
      try {
        if (entry.controller.signal.aborted) {
          reason = entry.stopRequested ? 'stopped' : 'interrupted';
          return { outcome: entry.stopRequested ? 'failed' : 'interrupted', error: 'stopped before it ran' };
        }
        let conversationId: string | undefined;
        const result = await runScheduledTask(task, {
          repoId: this.repoId,
          settings: this.settings,
          store: this.options.store,
          mirror: this.options.mirror,
          runner: this.options.runner,
          channel: this.options.channels.find((c) => c.kind === task.channel),
          log,
          signal: entry.controller.signal,
          onEvent: (event) => {
            this.options.onRunEvent?.({ repoId: this.repoId, conversationId: conversationId ?? '', taskId, event });
            // No one asked for a scheduled run: its held requests are denied at once.
            if (event.type === 'hold') this.onHold(taskId, undefined, event);
          },
          onConversation: (id) => { conversationId = id; tracker.start(taskId, id); },
          stoppedByOperator: () => entry.stopRequested,
          shuttingDown: () => this.stopping,
          now: () => new Date(),
        });
        reason = result.reason;
        const { reason: _, ...fire } = result;
        return fire;
      } finally {
        release();
        tracker.finish(taskId, reason);
        log.info('task finished', { reason });
      }
    })();
    entry.done = run.catch(() => undefined);
    this.scheduledRuns.set(taskId, entry);
    try {
      return await run;
    } finally {
      this.scheduledRuns.delete(taskId);
    }
  }

  /** Answers the messages of a batch cancelled before it ran, records it, and ends its task. */
  private async answerCancelled(conversationId: string, taskId: string, messages: IncomingMessage[]): Promise<void> {
    const last = messages.at(-1);
    let reason: CompletionReason = 'internal_error';
    try {
      if (last === undefined) return;
      const text = stoppedText(false);
      const record = await this.options.store.read(conversationId);
      const prompt = buildPrompt(
        { channel: last.channel, ...(record.replies.length === 0 && messages[0]?.subject !== undefined ? { subject: messages[0].subject } : {}), savedAttachments: [] },
        messages.map((m) => ({ sender: m.sender, receivedAt: m.receivedAt, text: m.text })),
      );
      const sent = await this.replies.deliver(conversationId, messages, { kind: 'interrupted', markdown: text, attachments: [] }, { prompt, clearOutbox: false });
      reason = sent ? 'stopped' : 'channel_error';
    } catch (error) {
      this.log.error('cancelled task could not be answered', { task: taskId, conversation: conversationId, error: describe(error) });
    } finally {
      for (const message of messages) this.inFlight.delete(message.messageId);
      this.options.tracker.finish(taskId, reason);
    }
  }

  /** The channel handler: decide where a message goes and queue it. Rejects when it is not taken. */
  private async take(message: IncomingMessage): Promise<void> {
    if (this.stopping) {
      throw new GatewayError('GATEWAY_STOPPED', `repo ${this.repoId} is shutting down; message ${message.messageId} is left for the next start`);
    }
    if (this.inFlight.has(message.messageId)) return;
    const channel = this.channel(message.channel);
    const { ledger, store, tracker } = this.options;
    const known = ledger.get(message.messageId);
    if (known?.answered === true) {
      this.log.info('message already answered; not running it again', { message_id: message.messageId, conversation: known.conversationId });
      await channel.complete(message);
      return;
    }
    this.inFlight.add(message.messageId);
    const stored = ledger.finalReply(message.messageId);
    if (stored !== undefined) {
      try {
        await this.replies.deliverStored(message, stored);
      } finally {
        this.inFlight.delete(message.messageId);
      }
      return;
    }
    try {
      let conversationId = await this.route(message, known?.conversationId);
      if (message.text.trim() === '' && (conversationId !== undefined || (message.subject ?? '').trim() === '')) {
        await this.answerEmpty(message, conversationId ?? '');
        return;
      }
      if (conversationId === undefined) {
        const created = await store.create({ model: message.modelHint ?? this.settings.model, ...(this.settings.effort ? { effort: this.settings.effort } : {}) });
        conversationId = created.conversationId;
        this.log.info('new conversation', { conversation: conversationId, message_id: message.messageId, model: created.model });
      } else if (message.modelHint !== undefined) {
        this.log.info('model hint ignored: a conversation keeps the model it started with', { conversation: conversationId, hint: message.modelHint });
      }
      await ledger.accept(message.messageId, conversationId);
      const placement = this.queue.submit(conversationId, message);
      const title = message.subject ?? message.text.slice(0, 60);
      if (placement === 'new-batch') {
        this.waitingTask.set(conversationId, tracker.add({ repoId: this.repoId, conversationId, title, sender: message.sender, messageId: message.messageId }));
      } else if (placement === 'merged') {
        const taskId = this.waitingTask.get(conversationId);
        if (taskId !== undefined) tracker.merge(taskId, message.messageId, title);
        this.log.info('message merged into the next run', { conversation: conversationId, message_id: message.messageId });
      } else {
        throw new GatewayError('GATEWAY_STOPPED', `repo ${this.repoId} is shutting down; message ${message.messageId} is left for the next start`);
      }
    } catch (error) {
      this.inFlight.delete(message.messageId);
      throw error;
    }
  }

  /**
   * The conversation a message continues: the one it was given before a
   * restart, else the one the channel found, as long as it exists here
   * (ids of other repos or expired ones start a new conversation).
   */
  private async route(message: IncomingMessage, previous: string | undefined): Promise<string | undefined> {
    for (const id of [previous, message.conversationId]) {
      if (id === undefined) continue;
      if (this.queue.has(id) || (await this.options.store.canResume(id))) return id;
      if (id === previous && (await this.options.store.exists(id))) return id;
    }
    return undefined;
  }

  private async answerEmpty(message: IncomingMessage, conversationId: string): Promise<void> {
    const taskId = this.options.tracker.add({ repoId: this.repoId, conversationId, title: message.subject ?? '', sender: message.sender, messageId: message.messageId });
    const sent = await this.replies.deliver(conversationId, [message], { kind: 'error', markdown: EMPTY_MESSAGE_TEXT, attachments: [] }, { clearOutbox: false });
    this.inFlight.delete(message.messageId);
    this.options.tracker.finish(taskId, sent ? 'empty_message' : 'channel_error');
  }

  private async runBatch(conversationId: string, messages: IncomingMessage[]): Promise<void> {
    const { tracker } = this.options;
    const first = messages[0];
    if (first === undefined) return;
    const taskId = this.waitingTask.get(conversationId)
      ?? tracker.add({ repoId: this.repoId, conversationId, title: first.subject ?? '', sender: first.sender, messageId: first.messageId });
    this.waitingTask.delete(conversationId);
    tracker.start(taskId, conversationId);
    const controller = new AbortController();
    this.running.set(conversationId, { taskId, controller, stopRequested: false });
    const log = this.log.child({ conversation: conversationId, task: taskId });
    let reason: CompletionReason = 'internal_error';
    try {
      reason = await this.process(conversationId, messages, controller.signal, log, (event) => {
        this.options.onRunEvent?.({ repoId: this.repoId, conversationId, taskId, event });
        if (event.type === 'hold') this.onHold(taskId, first, event);
      });
    } finally {
      this.running.delete(conversationId);
      for (const message of messages) this.inFlight.delete(message.messageId);
      tracker.finish(taskId, reason);
      log.info('task finished', { reason, messages: messages.length });
    }
  }

  private async process(
    id: string,
    messages: IncomingMessage[],
    signal: AbortSignal,
    log: Logger,
    emit: (event: RunEvent) => void,
  ): Promise<CompletionReason> {
    const { store, mirror, runner } = this.options;
    const settings = this.settings;
    const last = messages.at(-1) as IncomingMessage;
    const layout = store.layout(id);
    const conversationUrl = settings.dashboardBaseUrl === undefined ? undefined : `${settings.dashboardBaseUrl.replace(/\/+$/, '')}/conversation/${id}`;

    try {
      await mirror.refresh();
    } catch (error) {
      log.error('mirror update failed', { error: describe(error) });
      return this.answerError(messages, id, internalErrorText(error), 'internal_error', true);
    }
    if (!(await store.canResume(id))) {
      if (await pathExists(layout.workspace)) log.warn('the workspace was not completely created (a crash cut it short); making it again');
      try {
        await mirror.cloneWorkspace(layout.workspace, layout.workspaceMarker);
      } catch (error) {
        log.error('workspace clone failed', { error: describe(error) });
        await store.remove(id);
        return this.answerError(messages, id, internalErrorText(error, 'creating the workspace'), 'internal_error', false);
      }
    }

    await store.prepareRunDirectories(id);
    const saved = await saveAttachments(layout.inbox, messages.flatMap((m) => m.attachments));
    const record = await store.read(id);
    const firstRun = record.replies.length === 0;
    const model = record.model ?? settings.model;
    const effort = record.effort ?? settings.effort;

    // A new conversation is acknowledged once its workspace exists, even when a crash took the first attempt.
    if (firstRun && settings.acknowledge[last.channel] === true) await this.replies.acknowledge(id, last, acknowledgementText(conversationUrl));

    const approvalSettings = settings.approvals ?? DEFAULT_APPROVAL_SETTINGS;
    const approvals = await this.runApprovals(layout.dir, messages, approvalSettings, log);
    const context: PromptContext = {
      channel: last.channel,
      ...(firstRun && messages[0]?.subject !== undefined ? { subject: messages[0].subject } : {}),
      savedAttachments: saved,
      approvedNow: approvals.granted.approved.map(({ approval }) => approval),
    };
    const entries: PromptEntry[] = messages.map((m) => ({ sender: m.sender, receivedAt: m.receivedAt, text: m.text }));
    let prompt = buildPrompt(context, entries);
    const sessionId = firstRun ? undefined : resumeSessionId(record);
    await store.update(id, (r) => ({ ...r, pendingRequestText: prompt }));

    const collector = new ReceiptCollector();
    // Claude's plan goes to channels that show progress (Slack); email has none.
    const progress = this.channel(last.channel).progress?.(last, id);
    const onEvent = (event: RunEvent): void => {
      emit(event);
      collector.observe(event);
      const plan = progress !== undefined && event.type === 'claude' ? planOf(event.event) : undefined;
      if (plan !== undefined) progress?.plan(plan);
    };
    let result: ExecutionResult;
    try {
      const base = {
        repoId: this.repoId, conversationId: id, layout, model, ...(effort ? { effort } : {}), signal, onEvent,
        ...(approvals.inEffect.length === 0 ? {} : { approvals: approvalDocuments(approvals.inEffect) }),
      };
      log.info('task started', { model, resume: sessionId !== undefined, messages: messages.length });
      // A stop that came while the workspace was prepared needs no container.
      result = signal.aborted ? stoppedResult() : await runner.run({ ...base, prompt, ...(sessionId ? { sessionId } : {}) });
      if (sessionId !== undefined && RECOVERABLE.has(result.outcome) && !signal.aborted) {
        log.warn('session could not be resumed; retrying once in a fresh session', { outcome: result.outcome });
        prompt = buildRecoveryPrompt(context, entries, lastSuccessfulResponse(record));
        await store.update(id, (r) => ({ ...r, pendingRequestText: prompt }));
        result = await runner.run({ ...base, prompt });
      }
    } catch (error) {
      log.error('task could not run', { error: describe(error) });
      await progress?.end('failed');
      return this.answerError(messages, id, internalErrorText(error), 'internal_error', true, prompt);
    }
    emit({ type: 'finished', result });
    // The receipt numbers the run's blocked requests; `allow N` in the next message refers to that list.
    const receipt = collector.receipt({ result, approvals: approvals.inEffect });
    await appendReceipt(layout.dir, { messageIds: messages.map((m) => m.messageId), recordedAt: this.now().toISOString(), receipt }).catch((error: unknown) => {
      log.error('the receipt of the run could not be stored', { error: describe(error) });
    });
    await recordLastBlocked(layout.dir, receipt.blocked, this.now()).catch((error: unknown) => {
      log.error('the blocked list of the run could not be stored; allow N cannot refer to it', { error: describe(error) });
    });

    const plan = planReply(result, {
      timeoutSeconds: settings.timeoutSeconds,
      showCost: settings.showCost,
      conversationUrl,
      shuttingDown: this.stopping,
      stoppedByOperator: this.running.get(id)?.stopRequested === true,
      receipt,
      approvals: approvalSettings.mode !== 'off',
    });
    // The plan shows its final state before the answer arrives under it.
    await progress?.end(taskEnd(plan.reason));
    const outbox = plan.attachOutbox ? await readOutbox(layout.outbox) : { files: [], unreadable: [] };
    let markdown = [grantText(approvals.granted), plan.reply.markdown].filter((part) => part !== '').join('\n\n');
    if (outbox.unreadable.length > 0) markdown += `\n\nCould not attach ${outbox.unreadable.length} file(s): ${outbox.unreadable.join(', ')}`;
    // Channels with buttons offer the receipt's approvable entries; the receipt's own text says `allow N` for the others.
    const approvable = approvableEntries(receipt.blocked, approvalSettings);
    const reply = { ...plan.reply, markdown, attachments: outbox.files, ...(approvable.length === 0 ? {} : { approvable }) };
    const sent = await this.replies.deliver(id, messages, reply, { prompt, recordText: plan.recordText, result, clearOutbox: plan.attachOutbox });
    return sent ? plan.reason : 'channel_error';
  }

  /**
   * The batch's `allow` commands granted and the approvals its run carries.
   * An unreadable approvals file fails closed: no approval, and it is logged.
   */
  private async runApprovals(dir: string, messages: IncomingMessage[], settings: ApprovalSettings, log: Logger): Promise<RunApprovals> {
    try {
      const requests = messages.map((m) => ({ sender: m.sender, text: m.text, ...(m.approves === undefined ? {} : { entries: m.approves }) }));
      const approvals = await approvalsForRun(dir, requests, settings, this.now());
      for (const { number, approval } of approvals.granted.approved) {
        log.info('request approved for the conversation', { number, method: approval.method, host: approval.host, path: approval.pathPrefix, by: approval.approvedBy, until: approval.expiresAt });
      }
      return approvals;
    } catch (error) {
      log.error('conversation approvals unreadable; the run gets the repository allowlist alone', { error: describe(error) });
      return { granted: nothingGranted(), inEffect: [] };
    }
  }

  /**
   * Asks a held request where someone can answer it (`message` is undefined
   * for a scheduled run); a task no place can ask about gets its 403 at once
   * rather than after the hold.
   */
  private onHold(taskId: string, message: IncomingMessage | undefined, event: Extract<RunEvent, { type: 'hold' }>): void {
    const holds = this.options.holds;
    if (holds === undefined) return;
    const askers = event.event.event === 'hold' ? holds.askersFor(message, taskId) : [];
    holds.router.onRunEvent(taskId, event, askers);
    if (event.event.event === 'hold' && askers.length === 0) holds.router.answer(taskId, event.event.id, false, 'nobody to ask');
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Sends an error reply for the batch and completes it; records it when the conversation still exists. */
  private async answerError(
    messages: IncomingMessage[],
    id: string,
    text: string,
    reason: CompletionReason,
    keepRecord: boolean,
    prompt = '',
  ): Promise<CompletionReason> {
    const sent = await this.replies.deliver(id, messages, { kind: 'error', markdown: text, attachments: [] }, { ...(keepRecord ? { prompt } : {}), clearOutbox: false });
    return sent ? reason : 'channel_error';
  }

  private channel(kind: ChannelKind): ChannelAdapter {
    return this.replies.channel(kind);
  }
}

/** How a progress display marks a task that ended for `reason`. */
function taskEnd(reason: CompletionReason): TaskEnd {
  if (reason === 'success') return 'completed';
  return reason === 'stopped' || reason === 'interrupted' ? 'stopped' : 'failed';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
