/**
 * The Slack channel of one repo: a Slack app in Socket Mode (no inbound
 * endpoint), answering direct messages in the Agents & AI Apps surface and
 * @-mentions in channels, each Slack thread being one conversation.
 */
import { readFile } from 'node:fs/promises';
import { App, SocketModeReceiver, LogLevel, webApi } from '@slack/bolt';
import type { ChannelAdapter, ChannelState, IncomingMessage, MessageHandler, NewThread, OutgoingReply, TaskProgress } from '../channel.js';
import type { SlackChannelConfig } from '../../config/index.js';
import type { Logger } from '../../log/index.js';
import { ALLOW_ACTION_PATTERN, allowButtonBlocks, type AllowPress } from './allow-buttons.js';
import { SlackAllowPresses } from './allow-presses.js';
import { SlackAuthorizer, type AuthorizationVerdict } from './authorizer.js';
import { boltLogger } from './bolt-logger.js';
import { SlackChannelError } from './error.js';
import { downloadSlackFiles } from './file-download.js';
import { HOLD_ACTION_PATTERN } from './hold-prompt.js';
import { SlackHoldPrompts } from './hold-prompts.js';
import { mentionedUserIds, resolveInbound, rewriteOutbound, stripBotMention } from './mentions.js';
import { markdownToMrkdwn } from './mrkdwn.js';
import { SlackPlanStream, type PlanTimers } from './plan-stream.js';
import { RecentEvents } from './recent-events.js';
import type { SlackApiCall } from './slack-api.js';
import { displayTitle, parseSlackMessageId, readMessageEvent, readSlackFile, slackMessageId, type SlackFile, type SlackMessageEvent } from './slack-event.js';
import { MAX_REPLY_POSTS, splitReply } from './split-reply.js';
import { HISTORY_PREAMBLE, readThreadHistory } from './thread-history.js';
import { ThreadStore, threadKey } from './thread-store.js';

/** Posted when a user opens a new assistant thread. */
export const GREETING = 'Hello! How can I help you today?';
/** Heads the Allow buttons when the answer went up as a file. */
export const ALLOW_AFTER_FILE = 'The full answer is in response.md. Approve a blocked request of this run for this conversation:';
/** The DM status while a task is being prepared and run. */
export const WORKING_STATUS = 'is working on this...';
/** Offered as one-click starts in a new assistant thread. */
export const SUGGESTED_PROMPTS = [
  { title: 'Fix a failing test', message: 'Find out why the tests fail on the main branch and open a PR with a fix.' },
  { title: 'Explain the code', message: 'Give me a short tour of this repository: its layout and main entry points.' },
  { title: 'Review open changes', message: 'Look at the most recent commits and tell me about anything risky.' },
];

/** A message refused before any task (same shape as the email channel's, for the gateway's tracker). */
export interface RejectedSlackMessage {
  repoId: string;
  messageId: string;
  kind: 'auth_failed';
  reason: string;
  sender: string | undefined;
}

/** Options of {@link SlackChannel}. */
export interface SlackChannelOptions {
  repoId: string;
  config: SlackChannelConfig;
  /** Directory of this repo's Slack state (the thread map). */
  stateDir: string;
  logger: Logger;
  /** Told about every refused user. */
  onRejected?: (rejected: RejectedSlackMessage) => void;
  /** How long the Socket Mode client waits for a pong, which also paces its reconnects. */
  clientPingTimeoutMs?: number;
  /** Web API retry policy (rate limits are retried after `Retry-After` within it). */
  retryConfig?: webApi.RetryOptions;
  clock?: () => Date;
  /** The clock plan updates are paced by (see {@link SlackPlanStream}); a test hook. */
  planTimers?: PlanTimers;
}

interface Identity {
  teamId: string;
  botUserId: string;
  botId: string | undefined;
}

/** {@link ChannelAdapter} for Slack. */
export class SlackChannel implements ChannelAdapter {
  readonly kind = 'slack' as const;
  private readonly log: Logger;
  private readonly clock: () => Date;
  /** `config.api_url`, ending in `/`. */
  private readonly apiUrl: string;
  private readonly client: webApi.WebClient;
  private readonly call: SlackApiCall;
  private readonly authorizer: SlackAuthorizer;
  private readonly recent = new RecentEvents();
  /** Channel messages showing :eyes:, per thread, until the final answer swaps them. */
  private readonly watching = new Map<string, Set<string>>();
  private readonly pending = new Set<Promise<void>>();
  /** New threads whose first message is with the gateway but not yet mapped to a conversation. */
  private readonly opening = new Map<string, { settled: Promise<void>; settle: () => void }>();
  private identity: Identity | undefined;
  private store: ThreadStore | undefined;
  private app: App | undefined;
  private receiver: SocketModeReceiver | undefined;
  private onMessage: MessageHandler | undefined;
  private current: ChannelState = { state: 'starting' };
  /** Allow/Deny prompts for a task's held requests, posted in its thread. */
  readonly holds: SlackHoldPrompts;
  /** Presses of the Allow buttons under replies. */
  private readonly allows: SlackAllowPresses;

  constructor(private readonly options: SlackChannelOptions) {
    this.log = options.logger.child({ channel: 'slack', repo: options.repoId });
    this.clock = options.clock ?? (() => new Date());
    this.apiUrl = options.config.api_url.endsWith('/') ? options.config.api_url : `${options.config.api_url}/`;
    this.client = new webApi.WebClient(options.config.bot_token, {
      logger: boltLogger(this.log),
      logLevel: LogLevel.WARN,
      slackApiUrl: this.apiUrl,
      ...(options.retryConfig === undefined ? {} : { retryConfig: options.retryConfig }),
    });
    this.call = async (method, args) => Object.fromEntries(Object.entries(await this.client.apiCall(method, args)));
    this.authorizer = new SlackAuthorizer({
      rules: options.config.authorized,
      call: this.call,
      teamId: async () => (await this.whoAmI()).teamId,
      logger: this.log,
    });
    this.holds = new SlackHoldPrompts({ call: this.call, authorize: (user) => this.authorizer.authorize(user), log: this.log, clock: this.clock });
    this.allows = new SlackAllowPresses({
      repoId: options.repoId,
      call: this.call,
      authorize: (user) => this.authorizer.authorize(user),
      conversationOf: (channel, threadTs) => this.store?.conversationOf(threadKey(channel, threadTs)),
      working: (press) => this.working(press),
      take: async (message) => {
        await this.onMessage?.(message);
      },
      log: this.log,
      clock: this.clock,
    });
  }

  /**
   * Checks both tokens, opens the thread map and connects over Socket Mode.
   * A rejected token is a {@link SlackChannelError} for this repo only.
   */
  async start(onMessage: MessageHandler): Promise<void> {
    this.onMessage = onMessage;
    try {
      const identity = await this.whoAmI();
      await this.checkAppToken();
      this.store = await ThreadStore.open(this.options.stateDir, this.log);
      const clientOptions = {
        logger: boltLogger(this.log),
        logLevel: LogLevel.WARN,
        slackApiUrl: this.apiUrl,
        ...(this.options.retryConfig === undefined ? {} : { retryConfig: this.options.retryConfig }),
      };
      this.receiver = new SocketModeReceiver({
        appToken: this.options.config.app_token,
        logger: boltLogger(this.log),
        installerOptions: { clientOptions },
        ...(this.options.clientPingTimeoutMs === undefined ? {} : { clientPingTimeout: this.options.clientPingTimeoutMs }),
      });
      this.app = new App({
        token: this.options.config.bot_token,
        receiver: this.receiver,
        botUserId: identity.botUserId,
        ...(identity.botId === undefined ? {} : { botId: identity.botId }),
        tokenVerificationEnabled: false,
        clientOptions,
        logger: boltLogger(this.log),
      });
      this.listen(this.app);
      this.watchConnection(this.receiver);
      await this.app.start();
      this.current = { state: 'connected' };
      this.log.info('connected to Slack over Socket Mode', { team: identity.teamId, bot_user: identity.botUserId });
    } catch (error) {
      this.current = { state: 'failed', lastError: error instanceof Error ? error.message : String(error) };
      throw error;
    }
  }

  /** Disconnects and waits for messages being taken over. */
  async stop(): Promise<void> {
    if (this.app !== undefined) await this.app.stop();
    for (const key of [...this.opening.keys()]) this.settleOpening(key);
    await Promise.allSettled([...this.pending]);
    this.current = { state: 'stopped' };
  }

  /** Connection state of the Socket Mode link. */
  state(): ChannelState {
    return this.current;
  }

  /**
   * Answers in the message's thread: maps the thread to the conversation,
   * posts the text (split, or as `response.md` when very long), uploads the
   * files, and, on a final answer, clears the DM status or swaps :eyes: for
   * the outcome reaction.
   */
  async reply(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<void> {
    const where = parseSlackMessageId(message.messageId);
    if (where === undefined) {
      throw new SlackChannelError('SLACK_POST_FAILED', `message id ${message.messageId} is not a Slack message id`, { hint: 'Only messages from the Slack channel can be answered through it.' });
    }
    const key = threadKey(where.channel, where.threadTs);
    // The gateway answers an empty first message before any conversation exists ('' then).
    if (conversationId !== '') await this.requireStore().register(key, conversationId);
    this.settleOpening(key);
    const markdown = reply.footer === undefined ? reply.markdown : `${reply.markdown}\n\n_${reply.footer}_`;
    const text = rewriteOutbound(markdownToMrkdwn(markdown), { user: (name) => this.authorizer.userNamed(name) });
    try {
      await this.postText(where.channel, where.threadTs, markdown, text, reply.approvable);
    } catch (cause) {
      throw new SlackChannelError('SLACK_POST_FAILED', `could not post the ${reply.kind} in Slack thread ${key}: ${describe(cause)}`, { cause, hint: 'Check that the app is in the channel and has chat:write and files:write.' });
    }
    await this.uploadFiles(where.channel, where.threadTs, reply.attachments);
    if (reply.kind === 'acknowledgement') return;
    if (isDirect(where.channel)) {
      await this.quietly('assistant.threads.setStatus', { channel_id: where.channel, thread_ts: where.threadTs, status: '' });
      return;
    }
    const outcome = reply.kind === 'result' ? 'white_check_mark' : 'x';
    for (const ts of this.watching.get(key) ?? [where.ts]) {
      await this.quietly('reactions.remove', { channel: where.channel, timestamp: ts, name: 'eyes' });
      await this.quietly('reactions.add', { channel: where.channel, timestamp: ts, name: outcome });
    }
    this.watching.delete(key);
  }

  /**
   * Posts a new top-level message in `thread.to` (a channel id, or a user id
   * whose DM is opened) headed by the subject, with the text and files in
   * its thread, and maps that thread to the conversation: a reply there
   * continues it through the normal authorized path.
   */
  async startThread(thread: NewThread): Promise<void> {
    const { reply } = thread;
    let channel = thread.to;
    try {
      if (/^[UW][A-Z0-9]+$/.test(thread.to)) {
        const opened = await this.client.conversations.open({ users: thread.to });
        channel = opened.channel?.id ?? '';
        if (channel === '') throw new Error(`conversations.open gave no channel for user ${thread.to}`);
      }
      const markdown = reply.footer === undefined ? reply.markdown : `${reply.markdown}\n\n_${reply.footer}_`;
      const text = rewriteOutbound(markdownToMrkdwn(markdown), { user: (name) => this.authorizer.userNamed(name) });
      const head = await this.client.chat.postMessage({ channel, text: `*${thread.subject.replace(/\*/g, '').replace(/\s+/g, ' ').trim()}*` });
      const threadTs = head.ts ?? '';
      if (threadTs === '') throw new Error('chat.postMessage gave no ts for the new thread');
      await this.requireStore().register(threadKey(channel, threadTs), thread.conversationId);
      await this.postText(channel, threadTs, markdown, text, reply.approvable);
      await this.uploadFiles(channel, threadTs, reply.attachments);
      this.log.info('new thread posted', { conversation: thread.conversationId, channel, thread_ts: threadTs });
    } catch (cause) {
      if (cause instanceof SlackChannelError) throw cause;
      throw new SlackChannelError('SLACK_POST_FAILED', `could not start a Slack thread in ${thread.to}: ${describe(cause)}`, {
        cause,
        hint: 'Check that deliver.to is a channel id the app is a member of (chat:write) or a user id (im:write), and files:write for attachments.',
      });
    }
  }

  /**
   * Claude's plan in the thread of `message`: one message kept up to date
   * with `chat.update` (and, in a DM, the assistant status), see
   * {@link SlackPlanStream}.
   */
  progress(message: IncomingMessage, _conversationId: string): TaskProgress {
    const where = parseSlackMessageId(message.messageId);
    if (where === undefined) return { plan: () => undefined, end: () => Promise.resolve() };
    return new SlackPlanStream({
      call: this.call,
      channel: where.channel,
      threadTs: where.threadTs,
      direct: isDirect(where.channel),
      logger: this.log,
      ...(this.options.planTimers === undefined ? {} : { timers: this.options.planTimers }),
    });
  }

  /** Forgets the threads of conversations that are gone; a channel not started yet has nothing to forget. */
  async prune(exists: (conversationId: string) => boolean): Promise<number> {
    return this.store === undefined ? 0 : this.store.prune(exists);
  }

  /** Slack keeps no inbox to clean up; nothing to do. */
  async complete(message: IncomingMessage): Promise<void> {
    // A Slack event is gone once acknowledged; the gateway's ledger guards against a second answer.
    // Only a thread still waiting for its first mapping needs to hear about it.
    const where = parseSlackMessageId(message.messageId);
    if (where !== undefined) this.settleOpening(threadKey(where.channel, where.threadTs));
    await Promise.resolve();
  }

  private settleOpening(key: string): void {
    this.opening.get(key)?.settle();
    this.opening.delete(key);
  }

  private async whoAmI(): Promise<Identity> {
    if (this.identity !== undefined) return this.identity;
    let answer: Record<string, unknown>;
    try {
      answer = await this.call('auth.test', {});
    } catch (cause) {
      throw new SlackChannelError('SLACK_AUTH_FAILED', `repo ${this.options.repoId}: Slack refused the bot token (auth.test: ${describe(cause)})`, {
        cause, hint: `Check repos.${this.options.repoId}.slack.bot_token: it must be the app's current Bot User OAuth Token (xoxb-...).`,
      });
    }
    this.identity = {
      teamId: typeof answer['team_id'] === 'string' ? answer['team_id'] : '',
      botUserId: typeof answer['user_id'] === 'string' ? answer['user_id'] : '',
      botId: typeof answer['bot_id'] === 'string' ? answer['bot_id'] : undefined,
    };
    return this.identity;
  }

  /** Socket Mode retries a refused app token for a long time; ask once first, so the operator hears why. */
  private async checkAppToken(): Promise<void> {
    const probe = new webApi.WebClient(this.options.config.app_token, {
      logger: boltLogger(this.log),
      logLevel: LogLevel.WARN,
      slackApiUrl: this.apiUrl,
      retryConfig: { retries: 0 },
    });
    try {
      await probe.apiCall('apps.connections.open', {});
    } catch (cause) {
      throw new SlackChannelError('SLACK_CONNECT_FAILED', `repo ${this.options.repoId}: Slack refused the app token (apps.connections.open: ${describe(cause)})`, {
        cause, hint: `Check repos.${this.options.repoId}.slack.app_token: an app-level token (xapp-...) with connections:write, and Socket Mode enabled for the app.`,
      });
    }
  }

  private watchConnection(receiver: SocketModeReceiver): void {
    receiver.client.on('reconnecting', () => {
      this.current = { state: 'backoff', lastError: 'Socket Mode connection lost; reconnecting' };
      this.log.warn('Socket Mode connection lost; reconnecting');
    });
    receiver.client.on('connected', () => {
      if (this.current.state === 'backoff') this.log.info('Socket Mode reconnected');
      this.current = { state: 'connected' };
    });
  }

  private listen(app: App): void {
    app.action(HOLD_ACTION_PATTERN, async ({ ack, body }) => {
      await ack();
      await this.holds.press(body);
    });
    app.action(ALLOW_ACTION_PATTERN, async ({ ack, body }) => {
      await ack();
      // Like a message: off bolt's path, awaited by stop().
      this.track(this.allows.press(body));
    });
    app.event('assistant_thread_started', async ({ event }) => {
      const thread = (event as { assistant_thread?: { channel_id?: string; thread_ts?: string } }).assistant_thread;
      if (thread?.channel_id === undefined || thread.thread_ts === undefined) return;
      await this.quietly('chat.postMessage', { channel: thread.channel_id, thread_ts: thread.thread_ts, text: GREETING });
      await this.quietly('assistant.threads.setSuggestedPrompts', { channel_id: thread.channel_id, thread_ts: thread.thread_ts, prompts: SUGGESTED_PROMPTS });
    });
    // Not awaited: the handler may take a while and bolt should move on to the next event.
    app.event('app_mention', ({ event }) => {
      this.track(this.consider(readMessageEvent(event), 'app_mention'));
      return Promise.resolve();
    });
    app.event('message', ({ event }) => {
      this.track(this.consider(readMessageEvent(event), 'message'));
      return Promise.resolve();
    });
  }

  /** Takes the event off bolt's path at once; the work is awaited by stop(). */
  private track(work: Promise<void>): void {
    const done = work.catch((error: unknown) => {
      this.log.error('Slack event could not be handled', { error: describe(error) });
    }).finally(() => this.pending.delete(done));
    this.pending.add(done);
  }

  private async consider(event: SlackMessageEvent | undefined, source: 'app_mention' | 'message'): Promise<void> {
    if (event === undefined || event.botId !== undefined || event.user === undefined) return;
    const identity = await this.whoAmI();
    if (event.user === identity.botUserId) return;
    const direct = source === 'message' && event.channelType === 'im';
    const inChannel = source === 'app_mention' || event.channelType === 'channel' || event.channelType === 'group';
    if (!direct && !inChannel) return;
    if (source === 'app_mention' ? event.subtype !== undefined : event.subtype !== undefined && event.subtype !== 'file_share') return;
    const threadTs = event.threadTs ?? event.ts;
    const key = threadKey(event.channel, threadTs);
    const store = this.requireStore();
    if (inChannel) {
      const allowed = this.options.config.allowed_channels;
      if (allowed.length > 0 && !allowed.includes(event.channel)) return;
      const mentioned = new RegExp(`<@${identity.botUserId}(?:\\|[^>]*)?>`).test(event.text);
      if (source === 'message' && store.conversationOf(key) === undefined && !mentioned && !this.watching.has(key)) return;
    }
    const messageId = slackMessageId(event.channel, threadTs, event.ts);
    if (event.edited) {
      // An edit re-delivers an instruction that was already taken (or refused); it is never a new one.
      this.log.info('Slack edit ignored', { user: event.user, reason: 'edited messages are not new instructions', message_id: messageId });
      return;
    }
    if (!this.recent.firstTime(`${event.channel}:${event.ts}`)) return;
    const verdict = await this.authorizeEvent(event, event.user, identity);
    if (!verdict.allowed) {
      this.log.warn('Slack user refused', { user: event.user, reason: verdict.reason, message_id: messageId });
      this.options.onRejected?.({ repoId: this.options.repoId, messageId, kind: 'auth_failed', reason: verdict.reason, sender: event.user });
      return;
    }
    // A follow-up that arrives while the thread's first message is still becoming a conversation
    // must join that conversation, not start a second one: wait until the gateway has answered it.
    for (let earlier = this.opening.get(key); earlier !== undefined && store.conversationOf(key) === undefined; earlier = this.opening.get(key)) {
      this.log.debug('follow-up waits for its thread to be mapped', { thread: key });
      await earlier.settled;
    }
    const known = store.conversationOf(key);
    const first = known === undefined;
    if (first) {
      let settle = (): void => undefined;
      const settled = new Promise<void>((resolve) => {
        settle = resolve;
      });
      this.opening.set(key, { settled, settle });
    }
    if (inChannel) {
      const seen = this.watching.get(key) ?? new Set<string>();
      seen.add(event.ts);
      this.watching.set(key, seen);
      await this.quietly('reactions.add', { channel: event.channel, timestamp: event.ts, name: 'eyes' });
    }
    const body = await this.resolve(stripBotMention(event.text, identity.botUserId));
    if (direct) {
      await this.quietly('assistant.threads.setStatus', { channel_id: event.channel, thread_ts: threadTs, status: WORKING_STATUS });
      if (known === undefined) await this.quietly('assistant.threads.setTitle', { channel_id: event.channel, thread_ts: threadTs, title: displayTitle(body) });
    }
    const history = inChannel && event.threadTs !== undefined && event.threadTs !== event.ts && known === undefined
      ? await this.history(event.channel, event.threadTs, event.ts)
      : { text: '', files: [] };
    const { attachments, failed } = await this.download([...history.files, ...event.files], messageId);
    const missing = failed.length === 0 ? '' : `\n\n[Files attached in Slack that could not be fetched: ${failed.join('; ')}]`;
    const text = `${history.text}${body}${missing}`;
    const message: IncomingMessage = {
      channel: 'slack',
      repoId: this.options.repoId,
      messageId,
      conversationId: known,
      sender: `${verdict.user.displayName} <${verdict.user.id}>`,
      subject: body !== '' ? displayTitle(body) : inChannel ? 'Slack channel message' : undefined,
      text,
      attachments,
      receivedAt: this.clock(),
      modelHint: undefined,
    };
    this.log.info('Slack message accepted', { message_id: messageId, user: event.user, conversation: known, surface: direct ? 'dm' : 'channel' });
    try {
      await this.onMessage?.(message);
    } catch (error) {
      if (first) this.settleOpening(key);
      throw error;
    }
  }

  /**
   * The workspace the event itself names comes first: an event from another
   * workspace is refused whatever `users.info` says about the user.
   */
  private async authorizeEvent(event: SlackMessageEvent, user: string, identity: Identity): Promise<AuthorizationVerdict> {
    const foreign = event.teams.find((team) => team !== identity.teamId);
    if (foreign !== undefined) return { allowed: false, reason: `the event names workspace ${foreign}, not this app's workspace ${identity.teamId || '(unknown)'}` };
    return this.authorizer.authorize(user);
  }

  private async resolve(text: string): Promise<string> {
    for (const id of mentionedUserIds(text)) {
      await this.authorizer.user(id).catch(() => undefined);
    }
    return resolveInbound(text, (id) => this.authorizer.knownName(id));
  }

  /** The replayed thread as prompt text, and the files attached along the way. */
  private async history(channel: string, threadTs: string, triggerTs: string): Promise<{ text: string; files: SlackFile[] }> {
    const found = await readThreadHistory(this.call, channel, threadTs, triggerTs);
    if (found === undefined || found.lines.length === 0) return { text: '', files: [] };
    const lines: string[] = [];
    for (const line of found.lines) {
      const author = await this.authorizer.user(line.user).then((u) => u.displayName, () => line.user);
      const body = await this.resolve(line.text);
      lines.push(`[${author}]: ${body}${line.files.length === 0 ? '' : ` [attached: ${line.files.map((f) => f.name).join(', ')}]`}`);
    }
    const omitted = found.omitted > 0 ? `[${found.omitted} earlier messages omitted]\n` : '';
    return { text: `${HISTORY_PREAMBLE}\n${omitted}${lines.join('\n')}\n\nThe message that mentioned you:\n`, files: found.lines.flatMap((l) => l.files) };
  }

  /** Some events (Slack Connect, very new files) carry a file without its URLs; files.info has them. */
  private async locate(file: SlackFile): Promise<SlackFile> {
    if (file.url !== undefined || file.id === undefined) return file;
    try {
      const answer = await this.call('files.info', { file: file.id });
      return { ...readSlackFile(answer['file']), name: file.name };
    } catch (error) {
      this.log.warn('files.info failed', { file: file.id, error: describe(error) });
      return file;
    }
  }

  /** Fetches the message's files for `/inbox`; each one that fails is logged and named in the prompt. */
  private async download(files: readonly SlackFile[], messageId: string): Promise<{ attachments: IncomingMessage['attachments']; failed: string[] }> {
    if (files.length === 0) return { attachments: [], failed: [] };
    const located = await Promise.all(files.map((f) => this.locate(f)));
    const got = await downloadSlackFiles(located, { token: this.options.config.bot_token, apiUrl: this.apiUrl, maxBytes: this.options.config.max_attachment_bytes });
    for (const failure of got.failed) this.log.warn('Slack file not fetched', { message_id: messageId, file: failure });
    return got;
  }

  /**
   * Posts a reply's text in a thread: split over a few messages, or as
   * `response.md` when very long. Approvable entries get Allow buttons under
   * the last message (under a line of their own after the file).
   */
  private async postText(channel: string, threadTs: string, markdown: string, text: string, approvable: OutgoingReply['approvable']): Promise<void> {
    const chunks = splitReply(text);
    if (chunks.length > MAX_REPLY_POSTS) {
      await this.client.filesUploadV2({ channel_id: channel, thread_ts: threadTs, file: Buffer.from(markdown), filename: 'response.md', title: 'Response' });
      const blocks = allowButtonBlocks(ALLOW_AFTER_FILE, approvable ?? []);
      if (blocks !== undefined) await this.call('chat.postMessage', { channel, thread_ts: threadTs, text: ALLOW_AFTER_FILE, blocks });
      return;
    }
    for (const [index, chunk] of chunks.entries()) {
      const blocks = index === chunks.length - 1 ? allowButtonBlocks(chunk, approvable ?? []) : undefined;
      // Through the plain API call: the blocks are built here as plain data, not bolt's Block types.
      await this.call('chat.postMessage', { channel, thread_ts: threadTs, text: chunk, ...(blocks === undefined ? {} : { blocks }) });
    }
  }

  /** A press was taken: the thread shows work as a new message does (:eyes: on the pressed message, or the DM status). */
  private async working(press: AllowPress): Promise<void> {
    if (isDirect(press.channel)) {
      await this.quietly('assistant.threads.setStatus', { channel_id: press.channel, thread_ts: press.threadTs ?? press.messageTs, status: WORKING_STATUS });
      return;
    }
    const key = threadKey(press.channel, press.threadTs ?? press.messageTs);
    const seen = this.watching.get(key) ?? new Set<string>();
    seen.add(press.messageTs);
    this.watching.set(key, seen);
    await this.quietly('reactions.add', { channel: press.channel, timestamp: press.messageTs, name: 'eyes' });
  }

  private async uploadFiles(channel: string, threadTs: string, files: OutgoingReply['attachments']): Promise<void> {
    const failed: string[] = [];
    for (const file of files) {
      try {
        await this.client.filesUploadV2({ channel_id: channel, thread_ts: threadTs, file: await readFile(file.path), filename: file.filename, title: file.filename });
      } catch (error) {
        this.log.warn('file upload failed', { file: file.filename, error: describe(error) });
        failed.push(file.filename);
      }
    }
    if (failed.length > 0) {
      await this.quietly('chat.postMessage', { channel, thread_ts: threadTs, text: `Could not upload ${failed.length} file(s): ${failed.join(', ')}` });
    }
  }

  /** Reactions, status, title and greetings are niceties: a failure is logged, never fatal. */
  private async quietly(method: string, args: Record<string, unknown>): Promise<void> {
    try {
      await this.call(method, args);
    } catch (error) {
      this.log.warn('Slack call failed', { method, error: describe(error) });
    }
  }

  private requireStore(): ThreadStore {
    if (this.store === undefined) {
      throw new SlackChannelError('SLACK_POST_FAILED', `repo ${this.options.repoId}: the Slack channel was used before start()`, { hint: 'Call start() before reply().' });
    }
    return this.store;
  }
}

/** Direct-message channel ids start with D. */
function isDirect(channel: string): boolean {
  return channel.startsWith('D');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
