import type { IncomingMessage } from '../channel.js';
import type { Logger } from '../../log/index.js';
import { parseAllowPress, takenBlocks, type AllowPress, type TakenPress } from './allow-buttons.js';
import type { AuthorizationVerdict } from './authorizer.js';
import type { SlackApiCall } from './slack-api.js';
import { slackMessageId } from './slack-event.js';

/** Seams of {@link SlackAllowPresses}. */
export interface SlackAllowPressesOptions {
  repoId: string;
  call: SlackApiCall;
  /** The channel's authorizer: only users authorised for the repo may press. */
  authorize: (userId: string) => Promise<AuthorizationVerdict>;
  /** The conversation a thread is mapped to. */
  conversationOf: (channel: string, threadTs: string) => string | undefined;
  /** Shows that the thread is being worked on (the :eyes: on the pressed message, or the DM status). */
  working: (press: AllowPress) => Promise<void>;
  /** Hands the press to the gateway as a message; resolves once it was taken. */
  take: (message: IncomingMessage) => Promise<void>;
  log: Logger;
  clock: () => Date;
}

/** Messages whose presses are remembered (to refuse a second press of the same button). */
const REMEMBERED_MESSAGES = 256;

/**
 * Presses of the Allow buttons under replies. A press by a user the repo's
 * authorizer accepts goes to the gateway as that user's `allow N` in the
 * thread's conversation, naming the exact request the button showed (the
 * gateway grants it only if the conversation's last run was blocked on it),
 * and the message's button is replaced by who approved what. A press by
 * anyone else, a second press of the same button, or one in a thread with no
 * conversation is logged and changes nothing.
 */
export class SlackAllowPresses {
  /** Presses taken, per pressed message (`channel:ts`), oldest message first. */
  private readonly taken = new Map<string, TakenPress[]>();

  constructor(private readonly options: SlackAllowPressesOptions) {}

  /** Handles a `block_actions` payload of an Allow button (already acknowledged). */
  async press(body: unknown): Promise<void> {
    const { log } = this.options;
    const press = parseAllowPress(body);
    if (press === undefined) {
      log.warn('allow button press ignored: not a press this channel can read');
      return;
    }
    const fields = { user: press.userId, channel: press.channel, message_ts: press.messageTs, number: press.entry.number };
    const conversationId = press.threadTs === undefined ? undefined : this.options.conversationOf(press.channel, press.threadTs);
    if (press.threadTs === undefined || conversationId === undefined) {
      log.warn('allow button press ignored: its thread belongs to no conversation', fields);
      return;
    }
    const verdict = await this.options.authorize(press.userId);
    if (!verdict.allowed) {
      log.warn('allow button press refused: the user is not authorised for this repo', { ...fields, reason: verdict.reason });
      return;
    }
    const key = `${press.channel}:${press.messageTs}`;
    const taken = this.taken.get(key) ?? [];
    if (taken.some((p) => p.entry.number === press.entry.number)) {
      log.info('allow button pressed again; ignored', fields);
      return;
    }
    const mine: TakenPress = { entry: press.entry, by: verdict.user.displayName };
    this.remember(key, [...taken, mine]);
    const message: IncomingMessage = {
      channel: 'slack',
      repoId: this.options.repoId,
      messageId: slackMessageId(press.channel, press.threadTs, `press-${press.actionTs}`),
      conversationId,
      sender: `${verdict.user.displayName} <${verdict.user.id}>`,
      subject: undefined,
      text: `allow ${press.entry.number}`,
      attachments: [],
      receivedAt: this.options.clock(),
      modelHint: undefined,
      approves: [press.entry],
    };
    await this.options.working(press);
    log.info('allow button press accepted', { ...fields, message_id: message.messageId, conversation: conversationId });
    try {
      await this.options.take(message);
    } catch (error) {
      // Not taken (the gateway is stopping): the button may be pressed again.
      this.remember(key, (this.taken.get(key) ?? []).filter((p) => p !== mine));
      throw error;
    }
    try {
      const now = this.taken.get(key) ?? [mine];
      await this.options.call('chat.update', { channel: press.channel, ts: press.messageTs, ...(press.text === undefined ? {} : { text: press.text }), blocks: takenBlocks(press.blocks, now) });
    } catch (error) {
      log.warn('the pressed message could not be rewritten', { ...fields, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private remember(key: string, presses: TakenPress[]): void {
    this.taken.delete(key);
    this.taken.set(key, presses);
    if (this.taken.size > REMEMBERED_MESSAGES) {
      const oldest = this.taken.keys().next().value;
      if (oldest !== undefined) this.taken.delete(oldest);
    }
  }
}
