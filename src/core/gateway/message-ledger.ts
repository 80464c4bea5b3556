import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What the gateway remembers about a channel message. */
export interface LedgerEntry {
  /** The conversation the message was given to. */
  conversationId: string;
  /** True once a result or error reply for it was delivered. */
  answered: boolean;
}

interface LedgerLine {
  id: string;
  conversation: string;
  answered: boolean;
}

/**
 * The stored record of messages the gateway took and answered, one JSON line
 * per change (`messages.jsonl` in the repo's state directory). Channels deliver
 * at least once (a mail stays in the inbox until completed), so after a
 * restart this is what keeps an answered message from being answered again,
 * and what sends an unanswered one back to the conversation it started.
 */
export class MessageLedger {
  private constructor(private readonly path: string, private readonly entries: Map<string, LedgerEntry>) {}

  /** Opens (or starts) the ledger at `path`; unreadable lines are skipped. */
  static async open(path: string): Promise<MessageLedger> {
    const entries = new Map<string, LedgerEntry>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: Partial<LedgerLine>;
      try {
        parsed = JSON.parse(line) as Partial<LedgerLine>;
      } catch {
        // A line cut short by a crash mid-append; the ones before it still count.
        continue;
      }
      if (typeof parsed.id !== 'string' || typeof parsed.conversation !== 'string') continue;
      entries.set(parsed.id, { conversationId: parsed.conversation, answered: parsed.answered === true });
    }
    await mkdir(dirname(path), { recursive: true });
    return new MessageLedger(path, entries);
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

  private async write(line: LedgerLine): Promise<void> {
    this.entries.set(line.id, { conversationId: line.conversation, answered: line.answered });
    await appendFile(this.path, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
