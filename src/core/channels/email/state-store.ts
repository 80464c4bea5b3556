/**
 * What the email channel remembers across restarts, as append-only JSON-lines
 * files in the repo's state dir: Message-IDs already answered or rejected (so a
 * restart never answers twice), and our own outgoing Message-IDs with their
 * conversation (so replies to them find it).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EmailChannelError } from './error.js';

const HANDLED_FILE = 'email-handled.jsonl';
const SENT_FILE = 'email-sent.jsonl';

/** The channel's persistent memory for one repo. */
export class EmailStateStore {
  private readonly handled = new Set<string>();
  private readonly sent = new Map<string, string>();

  private constructor(private readonly dir: string) {}

  /** Opens (creating when needed) the store in `dir`. A torn last line from a crash is ignored. */
  static async open(dir: string): Promise<EmailStateStore> {
    const store = new EmailStateStore(dir);
    await mkdir(dir, { recursive: true }).catch((err: unknown) => {
      throw new EmailChannelError('EMAIL_STATE_UNREADABLE', `cannot create the email state directory ${dir}`, {
        cause: err,
        hint: 'Check that the state directory (XDG_STATE_HOME) is writable by the user running Airut.',
      });
    });
    for (const entry of await readLines(join(dir, HANDLED_FILE))) {
      if (typeof entry.id === 'string') store.handled.add(entry.id);
    }
    for (const entry of await readLines(join(dir, SENT_FILE))) {
      if (typeof entry.id === 'string' && typeof entry.conversation === 'string') store.sent.set(entry.id, entry.conversation);
    }
    return store;
  }

  /** True when the message was already answered or rejected. */
  isHandled(messageId: string): boolean {
    return this.handled.has(messageId);
  }

  /** Records that `messageId` needs no further answer. */
  async markHandled(messageId: string, at: Date): Promise<void> {
    if (this.handled.has(messageId)) return;
    this.handled.add(messageId);
    await appendFile(join(this.dir, HANDLED_FILE), `${JSON.stringify({ id: messageId, at: at.toISOString() })}\n`);
  }

  /** Records a Message-ID we sent in `conversationId`. */
  async recordSent(messageId: string, conversationId: string, at: Date): Promise<void> {
    // Reply Message-IDs are deterministic: a reply sent again needs no second line.
    if (this.sent.get(messageId) === conversationId) return;
    this.sent.set(messageId, conversationId);
    await appendFile(join(this.dir, SENT_FILE), `${JSON.stringify({ id: messageId, conversation: conversationId, at: at.toISOString() })}\n`);
  }

  /** The conversation of one of our Message-IDs. */
  conversationOf(messageId: string): string | undefined {
    return this.sent.get(messageId);
  }
}

async function readLines(file: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EmailChannelError('EMAIL_STATE_UNREADABLE', `cannot read ${file}`, { cause: err, hint: 'Check the file permissions, or remove the file to forget handled messages.' });
  }
  const entries: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value !== null && typeof value === 'object') entries.push(value as Record<string, unknown>);
    } catch {
      // Only the last line can be torn (append-only writes); skipping it loses one record, never the file.
    }
  }
  return entries;
}
