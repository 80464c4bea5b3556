import type { CommandResult, ExecutionResult } from '../../sandbox/index.js';
import type { ChannelAdapter, ChannelKind } from '../channels/index.js';
import type { ConversationLayout, ConversationStore, GitMirror } from '../conversation/index.js';
import type { Logger } from '../log/index.js';
import { approvableEntries, DEFAULT_APPROVAL_SETTINGS, recordLastBlocked } from '../approvals/index.js';
import { appendReceipt, ReceiptCollector } from '../receipt/index.js';
import type { FireResult } from '../scheduler/index.js';
import { readOutbox, clearOutbox } from './outbox.js';
import { channelContext } from './prompt.js';
import { buildReplyRecord } from './reply-record.js';
import { planReply } from './reply-plan.js';
import type { RepoSettings } from './repo-handler.js';
import type { TaskRequest, TaskRunner } from './task-runner.js';
import type { CompletionReason } from './task-tracker.js';

/** What the prompt of a scheduled task is made from, once its workspace exists. */
export interface ScheduledPromptContext {
  conversationId: string;
  layout: ConversationLayout;
  signal: AbortSignal;
  /** Runs a command in the conversation's sandbox; undefined when the repo's runner cannot. */
  runCommand: ((argv: readonly string[], timeoutSeconds: number | undefined) => Promise<CommandResult>) | undefined;
}

/** One scheduled task, as the scheduler hands it to a repo. */
export interface ScheduledTask {
  /** The schedule's name (the dashboard shows `scheduled: <name>`). */
  name: string;
  /** Unique per fire (schedule and fire time): names the delivered message. */
  fireKey: string;
  channel: ChannelKind;
  /** An email address, or a Slack channel or user id. */
  to: string;
  subject: string;
  model?: string;
  effort?: string;
  /**
   * The task's own text. Undefined means there is nothing to do: the
   * conversation is removed and nothing is sent (a trigger without output).
   */
  prompt: (context: ScheduledPromptContext) => Promise<string | undefined>;
}

/** What {@link runScheduledTask} works with. */
export interface ScheduledRunContext {
  repoId: string;
  settings: RepoSettings;
  store: ConversationStore;
  mirror: GitMirror;
  runner: TaskRunner;
  channel: ChannelAdapter | undefined;
  log: Logger;
  signal: AbortSignal;
  onEvent: TaskRequest['onEvent'];
  /** Told the conversation id as soon as there is one (for the tracker). */
  onConversation: (conversationId: string) => void;
  stoppedByOperator: () => boolean;
  shuttingDown: () => boolean;
  now: () => Date;
}

/** The prompt of a scheduled run: the channel context, where the answer goes, then the task's text. */
export function scheduledPrompt(task: Pick<ScheduledTask, 'name' | 'channel' | 'to'>, text: string): string {
  const via = task.channel === 'email' ? 'email' : 'Slack';
  return `${channelContext({ channel: task.channel, savedAttachments: [] })}\n\nThis is a scheduled task "${task.name}". Your response will be delivered to ${task.to} via ${via}.\n\n${text}`;
}

/**
 * Runs one scheduled task in a fresh conversation and delivers its answer as
 * a new thread: the mirror is updated and the workspace cloned; the prompt is
 * made (nothing to do: the conversation goes and nothing is sent); Claude
 * runs; the answer (an error text for a failed run) is recorded in the
 * conversation, so a reply to the delivered message resumes the session,
 * then sent with the outbox files. A failure before the run sends nothing; a
 * failed delivery is logged and reported, not retried.
 */
export async function runScheduledTask(task: ScheduledTask, context: ScheduledRunContext): Promise<FireResult & { reason: CompletionReason }> {
  const { store, mirror, runner, settings, log, channel } = context;
  if (channel === undefined) {
    return { outcome: 'failed', reason: 'internal_error', error: `repo ${context.repoId} has no ${task.channel} channel to deliver to` };
  }
  let id: string | undefined;
  let layout: ConversationLayout;
  let text: string | undefined;
  try {
    await mirror.refresh();
    const created = await store.create({ model: task.model ?? settings.model, ...(task.effort ?? settings.effort ? { effort: task.effort ?? settings.effort } : {}) });
    id = created.conversationId;
    context.onConversation(id);
    layout = store.layout(id);
    await mirror.cloneWorkspace(layout.workspace, layout.workspaceMarker);
    await store.prepareRunDirectories(id);
    const conversationId = id;
    const runCommand = runner.runCommand?.bind(runner);
    text = await task.prompt({
      conversationId: id,
      layout,
      signal: context.signal,
      runCommand: runCommand === undefined ? undefined : (argv, timeoutSeconds) => runCommand({
        repoId: context.repoId, conversationId, layout, argv, signal: context.signal, onEvent: context.onEvent, ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
      }),
    });
  } catch (error) {
    if (id !== undefined) await store.remove(id);
    log.error('scheduled task could not be prepared; nothing is sent', { schedule: task.name, error: describe(error) });
    return { outcome: 'failed', reason: 'internal_error', error: describe(error) };
  }
  if (text === undefined) {
    await store.remove(id);
    log.info('scheduled task has nothing to do; nothing is sent', { schedule: task.name });
    return { outcome: 'nothing_to_do', reason: 'success' };
  }

  const record = await store.read(id);
  const model = record.model ?? settings.model;
  const effort = record.effort ?? settings.effort;
  const prompt = scheduledPrompt(task, text);
  await store.update(id, (r) => ({ ...r, pendingRequestText: prompt }));
  const collector = new ReceiptCollector();
  let result: ExecutionResult;
  try {
    log.info('scheduled task started', { schedule: task.name, conversation: id, model });
    result = await runner.run({ repoId: context.repoId, conversationId: id, layout, prompt, model, ...(effort ? { effort } : {}), signal: context.signal, onEvent: (event) => {
      context.onEvent(event);
      collector.observe(event);
    } });
  } catch (error) {
    log.error('scheduled task could not run; nothing is sent', { schedule: task.name, conversation: id, error: describe(error) });
    return { outcome: 'failed', reason: 'internal_error', conversationId: id, error: describe(error) };
  }
  context.onEvent({ type: 'finished', result });
  // The same receipt as a reply's: `allow N` in an answer to the delivered thread refers to its blocked list.
  const receipt = collector.receipt({ result, approvals: [] });
  await appendReceipt(layout.dir, { messageIds: [`schedule:${task.fireKey}`], recordedAt: context.now().toISOString(), receipt }).catch((error: unknown) => {
    log.error('the receipt of the scheduled run could not be stored', { schedule: task.name, error: describe(error) });
  });
  await recordLastBlocked(layout.dir, receipt.blocked, context.now()).catch((error: unknown) => {
    log.error('the blocked list of the scheduled run could not be stored; allow N cannot refer to it', { schedule: task.name, error: describe(error) });
  });

  const conversationUrl = settings.dashboardBaseUrl === undefined ? undefined : `${settings.dashboardBaseUrl.replace(/\/+$/, '')}/conversation/${id}`;
  const plan = planReply(result, {
    timeoutSeconds: settings.timeoutSeconds,
    showCost: settings.showCost,
    conversationUrl,
    shuttingDown: context.shuttingDown(),
    stoppedByOperator: context.stoppedByOperator(),
    receipt,
    approvals: settings.approvals?.mode !== 'off',
  });
  const outbox = plan.attachOutbox ? await readOutbox(layout.outbox) : { files: [], unreadable: [] };
  let markdown = plan.reply.markdown;
  if (outbox.unreadable.length > 0) markdown += `\n\nCould not attach ${outbox.unreadable.length} file(s): ${outbox.unreadable.join(', ')}`;
  const conversationId = id;
  await store.update(id, (r) => {
    const { pendingRequestText: _, ...rest } = r;
    return { ...rest, replies: [...r.replies, buildReplyRecord(prompt, plan.recordText, [`schedule:${task.fireKey}`], result, context.now())] };
  });
  try {
    const approvable = approvableEntries(receipt.blocked, settings.approvals ?? DEFAULT_APPROVAL_SETTINGS);
    const reply = { ...plan.reply, markdown, attachments: outbox.files, ...(approvable.length === 0 ? {} : { approvable }) };
    await channel.startThread({ to: task.to, conversationId, subject: task.subject, key: task.fireKey, reply });
  } catch (error) {
    log.error('scheduled task result could not be delivered', { schedule: task.name, conversation: id, to: task.to, channel: task.channel, error: describe(error) });
    return { outcome: 'delivery_failed', reason: 'channel_error', conversationId, error: describe(error) };
  }
  if (plan.attachOutbox) await clearOutbox(layout.outbox);
  return { outcome: 'delivered', reason: plan.reason, conversationId };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
