import type { ExecutionResult } from '../../sandbox/index.js';
import type { ChannelAdapter, ChannelKind, IncomingMessage, OutgoingReply } from '../channels/index.js';
import type { ConversationStore, ReplyRecord } from '../conversation/index.js';
import type { Logger } from '../log/index.js';
import { acknowledgementKey, finalReplyKey, type MessageLedger, type StoredReply } from './message-ledger.js';
import { clearOutbox } from './outbox.js';
import { buildReplyRecord } from './reply-record.js';

/** What a {@link ReplyDelivery} works with: the repo's store, ledger and channels. */
export interface ReplyDeliveryOptions {
  repoId: string;
  store: ConversationStore;
  ledger: MessageLedger;
  channels: readonly ChannelAdapter[];
  /** The repo's logger. */
  log: Logger;
}

/**
 * Stores and sends a repo's replies exactly once: a reply is stored in the
 * message ledger (and its conversation.json entry written) before it is
 * sent, so a crash in between repairs itself by sending the same reply
 * again; its messages are completed only once it is sent.
 */
export class ReplyDelivery {
  private readonly log: Logger;

  constructor(private readonly options: ReplyDeliveryOptions) {
    this.log = options.log;
  }
  /**
   * Answers a batch: stores the reply (and its conversation.json entry)
   * before anything is sent, then sends it. From the moment it is stored the
   * batch is never run again: a crash before the send is recorded is repaired
   * by {@link deliverStored}, which sends this same reply again. `prompt`
   * given means the reply is recorded in conversation.json, as `recordText`
   * when given (the reply without its receipt block), else as sent.
   */
  async deliver(
    id: string,
    messages: IncomingMessage[],
    reply: OutgoingReply,
    options: { prompt?: string; recordText?: string; result?: ExecutionResult; clearOutbox: boolean },
  ): Promise<boolean> {
    const last = messages.at(-1) as IncomingMessage;
    const record = options.prompt === undefined ? undefined : buildReplyRecord(options.prompt, options.recordText ?? reply.markdown, messages.map((m) => m.messageId), options.result, new Date());
    const stored = await this.options.ledger.replySending({
      key: finalReplyKey(id, last.messageId),
      conversationId: id,
      answers: last,
      messageIds: messages.map((m) => m.messageId),
      reply,
      ...(record === undefined ? {} : { record }),
      clearOutbox: options.clearOutbox,
    });
    if (record !== undefined) await this.appendRecord(id, record);
    return this.sendStored(stored, messages);
  }

  /**
   * A message came again whose answer was stored before a restart: sends
   * that stored answer again (same text, files and Message-ID) unless it was
   * already sent, and completes the message. The task is not run again.
   */
  async deliverStored(message: IncomingMessage, stored: StoredReply): Promise<void> {
    const fields = { conversation: stored.conversationId, message_id: message.messageId };
    if (stored.state === 'sent') {
      this.log.info('message already answered; not running it again', fields);
    } else {
      this.log.info('the answer was stored but its delivery not confirmed before a restart; sending the same answer again, not running the task', fields);
      await this.restoreRecord(stored);
    }
    await this.sendStored(stored, [message]);
  }

  /** Sends a stored reply unless it was sent, then records it sent, clears the outbox and completes its messages. */
  private async sendStored(stored: StoredReply, messages: IncomingMessage[]): Promise<boolean> {
    const { ledger } = this.options;
    if (stored.state !== 'sent') {
      if (!(await this.send(stored.answers, stored.conversationId, stored.reply))) return false;
      await ledger.replySent(stored.key);
    }
    if (stored.clearOutbox) await clearOutbox(this.options.store.layout(stored.conversationId).outbox);
    // Every message of the batch is answered, also those the channel has not offered again yet.
    for (const messageId of stored.messageIds) await ledger.answer(messageId, stored.conversationId);
    await this.completeAll(messages);
    return true;
  }

  /** Sends the acknowledgement of a new conversation once: a stored one is sent again only when its delivery was not confirmed. */
  async acknowledge(id: string, last: IncomingMessage, text: string): Promise<void> {
    const { ledger } = this.options;
    const stored = ledger.acknowledgement(id) ?? await ledger.replySending({
      key: acknowledgementKey(id),
      conversationId: id,
      answers: last,
      messageIds: [last.messageId],
      reply: { kind: 'acknowledgement', markdown: text, attachments: [] },
      clearOutbox: false,
    });
    if (stored.state === 'sent') return;
    // An acknowledgement that cannot be sent does not hold up the task (it is logged by send).
    if (await this.send(stored.answers, id, stored.reply)) await ledger.replySent(stored.key);
  }

  /** Appends the reply to conversation.json and clears the pending prompt. */
  private async appendRecord(id: string, reply: ReplyRecord): Promise<void> {
    await this.options.store.update(id, (r) => {
      const { pendingRequestText: _, ...rest } = r;
      return { ...rest, replies: [...r.replies, reply] };
    });
  }

  /** Puts a stored reply's conversation.json entry back when a crash came before it was written. */
  private async restoreRecord(stored: StoredReply): Promise<void> {
    const { record } = stored;
    if (record === undefined || !(await this.options.store.exists(stored.conversationId))) return;
    const current = await this.options.store.read(stored.conversationId);
    if (current.replies.some((r) => r.timestamp === record.timestamp && r.messageIds.join('\n') === record.messageIds.join('\n'))) return;
    await this.appendRecord(stored.conversationId, record);
  }

  /** Sends a reply; a failure is logged and reported as false (the messages then stay with the channel). */
  private async send(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<boolean> {
    try {
      await this.channel(message.channel).reply(message, conversationId, reply);
      return true;
    } catch (error) {
      this.log.error('reply could not be sent', { conversation: conversationId, kind: reply.kind, message_id: message.messageId, error: describe(error) });
      return false;
    }
  }

  /** Tells each message's channel it is done (the ledger already records it answered). */
  private async completeAll(messages: IncomingMessage[]): Promise<void> {
    for (const message of messages) {
      await this.channel(message.channel).complete(message).catch((error: unknown) => {
        // The ledger already keeps it from being answered twice; the channel retries the removal.
        this.log.warn('channel could not complete a message', { message_id: message.messageId, error: describe(error) });
      });
    }
  }

  /** The repo's adapter for `kind`. */
  channel(kind: ChannelKind): ChannelAdapter {
    const channel = this.options.channels.find((c) => c.kind === kind);
    if (channel === undefined) throw new Error(`repo ${this.options.repoId} has no ${kind} channel, yet a message came through one`);
    return channel;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
