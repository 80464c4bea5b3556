import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApprovableEntry, ChannelKind, IncomingMessage, OutgoingReply } from '../channels/index.js';
import type { ReplyRecord } from '../conversation/index.js';

/** What the gateway remembers about a channel message. */
export interface LedgerEntry {
  /** The conversation the message was given to. */
  conversationId: string;
  /** True once a result or error reply for it was delivered. */
  answered: boolean;
}

/**
 * A reply as it was composed, stored before it is sent so that a crash
 * between sending and recording is repaired by sending this same reply again
 * (the channel derives the same Message-ID from the same inputs) instead of
 * running the task again.
 */
export interface StoredReply {
  /** `ack:<conversation>` for the acknowledgement, `final:<conversation>:<message>` for the answer. */
  key: string;
  conversationId: string;
  /** The message the reply answers, as the channel needs it to thread the reply (no text or files). */
  answers: IncomingMessage;
  /** Every message this reply answers (a merged batch), in arrival order. */
  messageIds: string[];
  reply: OutgoingReply;
  /** The conversation.json entry of this reply; put back when a crash lost it. */
  record?: ReplyRecord;
  /** Empty the outbox once the reply is delivered (its files were attached). */
  clearOutbox: boolean;
  /** `sending` from before the channel is asked to send until it returned; then `sent`. */
  state: 'sending' | 'sent';
}

interface LedgerLine {
  id: string;
  conversation: string;
  answered: boolean;
}

interface StoredMessageJson {
  channel: ChannelKind;
  repo_id: string;
  message_id: string;
  conversation_id?: string;
  sender: string;
  subject?: string;
  received_at: string;
  model_hint?: string;
}

interface ReplyLine {
  reply: {
    key: string;
    conversation: string;
    answers: StoredMessageJson;
    message_ids: string[];
    content: OutgoingReply;
    record?: ReplyRecord;
    clear_outbox: boolean;
  };
}

interface SentLine {
  reply_sent: string;
}

/** The key of the acknowledgement of `conversationId` (one per conversation). */
export function acknowledgementKey(conversationId: string): string {
  return `ack:${conversationId}`;
}

/** The key of the answer to `messageId` in `conversationId`. */
export function finalReplyKey(conversationId: string, messageId: string): string {
  return `final:${conversationId}:${messageId}`;
}

/**
 * The stored record of messages the gateway took and answered, one JSON line
 * per change (`messages.jsonl` in the repo's state directory). Channels deliver
 * at least once (a mail stays in the inbox until completed), so after a
 * restart this is what keeps an answered message from being answered again,
 * and what sends an unanswered one back to the conversation it started.
 *
 * It also holds every reply from the moment it was composed: the line is
 * written before the channel is asked to send, and a second line once the
 * channel returned. A message whose reply is stored is never run again.
 */
export class MessageLedger {
  /** Stored replies by key. */
  private readonly replies = new Map<string, StoredReply>();
  /** Key of the answer covering each message id. */
  private readonly finalOf = new Map<string, string>();

  private constructor(private readonly path: string, private readonly entries: Map<string, LedgerEntry>) {}

  /** Opens (or starts) the ledger at `path`; unreadable lines are skipped. */
  static async open(path: string): Promise<MessageLedger> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(dirname(path), { recursive: true });
    const ledger = new MessageLedger(path, new Map());
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        // A line cut short by a crash mid-append; the ones before it still count.
        continue;
      }
      ledger.load(parsed);
    }
    return ledger;
  }

  /** What is known about `messageId`. */
  get(messageId: string): LedgerEntry | undefined {
    return this.entries.get(messageId);
  }

  /** Records that `messageId` was given to `conversationId`. */
  async accept(messageId: string, conversationId: string): Promise<void> {
    await this.write({ id: messageId, conversation: conversationId, answered: false });
  }

  /** Records that `messageId` was answered. */
  async answer(messageId: string, conversationId: string): Promise<void> {
    await this.write({ id: messageId, conversation: conversationId, answered: true });
  }

  /** The stored answer covering `messageId`, sent or still being sent. */
  finalReply(messageId: string): StoredReply | undefined {
    const key = this.finalOf.get(messageId);
    return key === undefined ? undefined : this.replies.get(key);
  }

  /** The stored acknowledgement of `conversationId`. */
  acknowledgement(conversationId: string): StoredReply | undefined {
    return this.replies.get(acknowledgementKey(conversationId));
  }

  /**
   * Stores `reply` as being sent. Resolves once the line is on disk; only then
   * may the channel send it. Storing the same key again keeps the first.
   */
  async replySending(reply: Omit<StoredReply, 'state'>): Promise<StoredReply> {
    const known = this.replies.get(reply.key);
    if (known !== undefined) return known;
    const line: ReplyLine = {
      reply: {
        key: reply.key,
        conversation: reply.conversationId,
        answers: messageJson(reply.answers),
        message_ids: reply.messageIds,
        content: reply.reply,
        ...(reply.record === undefined ? {} : { record: reply.record }),
        clear_outbox: reply.clearOutbox,
      },
    };
    const stored = this.loadReply(line);
    await this.append(line);
    return stored ?? { ...reply, state: 'sending' };
  }

  /** Records that the channel accepted the reply `key` for delivery. */
  async replySent(key: string): Promise<void> {
    const stored = this.replies.get(key);
    if (stored !== undefined) stored.state = 'sent';
    await this.append({ reply_sent: key });
  }

  private load(value: unknown): void {
    if (!isObject(value)) return;
    if (typeof value.id === 'string' && typeof value.conversation === 'string') {
      this.entries.set(value.id, { conversationId: value.conversation, answered: value.answered === true });
    } else if (typeof value.reply_sent === 'string') {
      const stored = this.replies.get(value.reply_sent);
      if (stored !== undefined) stored.state = 'sent';
    } else if (isObject(value.reply)) {
      this.loadReply(value as unknown as ReplyLine);
    }
  }

  /** Indexes a reply line; a line that does not hold a usable reply is ignored. */
  private loadReply(line: ReplyLine): StoredReply | undefined {
    const r = line.reply;
    const answers = r.answers;
    const content = r.content;
    if (typeof r.key !== 'string' || typeof r.conversation !== 'string' || !isObject(answers) || !isObject(content)) return undefined;
    if (typeof answers.message_id !== 'string' || typeof content.markdown !== 'string' || !Array.isArray(r.message_ids)) return undefined;
    const stored: StoredReply = {
      key: r.key,
      conversationId: r.conversation,
      answers: messageOf(answers),
      messageIds: r.message_ids.filter((m): m is string => typeof m === 'string'),
      reply: {
        kind: content.kind,
        markdown: content.markdown,
        attachments: Array.isArray(content.attachments) ? content.attachments.filter((a) => isObject(a) && typeof a.filename === 'string' && typeof a.path === 'string') : [],
        ...(typeof content.footer === 'string' ? { footer: content.footer } : {}),
        ...approvableOf(content.approvable),
      },
      ...(isObject(r.record) ? { record: r.record } : {}),
      clearOutbox: r.clear_outbox === true,
      state: 'sending',
    };
    this.replies.set(stored.key, stored);
    if (stored.reply.kind !== 'acknowledgement') for (const id of stored.messageIds) this.finalOf.set(id, stored.key);
    return stored;
  }

  private async write(line: LedgerLine): Promise<void> {
    this.entries.set(line.id, { conversationId: line.conversation, answered: line.answered });
    await this.append(line);
  }

  private async append(line: LedgerLine | ReplyLine | SentLine): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}

/** The fields of a message that threading a reply needs; its text and files stay out of the ledger. */
function messageJson(message: IncomingMessage): StoredMessageJson {
  return {
    channel: message.channel,
    repo_id: message.repoId,
    message_id: message.messageId,
    ...(message.conversationId === undefined ? {} : { conversation_id: message.conversationId }),
    sender: message.sender,
    ...(message.subject === undefined ? {} : { subject: message.subject }),
    received_at: message.receivedAt.toISOString(),
    ...(message.modelHint === undefined ? {} : { model_hint: message.modelHint }),
  };
}

function messageOf(json: StoredMessageJson): IncomingMessage {
  return {
    channel: json.channel,
    repoId: json.repo_id,
    messageId: json.message_id,
    conversationId: json.conversation_id,
    sender: json.sender,
    subject: json.subject,
    text: '',
    attachments: [],
    receivedAt: new Date(json.received_at),
    modelHint: json.model_hint,
  };
}

/** A stored reply's approvable entries, as they were sent (a re-sent reply offers the same buttons); malformed ones are left out. */
function approvableOf(value: unknown): { approvable?: ApprovableEntry[] } {
  if (!Array.isArray(value)) return {};
  const entries = value.filter((e): e is ApprovableEntry => isObject(e) && typeof e.number === 'number' && typeof e.method === 'string'
    && typeof e.host === 'string' && typeof e.pathPrefix === 'string');
  return entries.length === 0 ? {} : { approvable: entries.map((e) => ({ number: e.number, method: e.method, host: e.host, pathPrefix: e.pathPrefix })) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
