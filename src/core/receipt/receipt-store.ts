import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Receipt } from './receipt.js';
import { parseReceipt } from './parse-receipt.js';

/** The file, in a conversation's directory, that keeps the receipt of each of its runs. */
export const RECEIPTS_FILE = 'receipts.jsonl';

/** One run's receipt as kept with the conversation. */
export interface StoredReceipt {
  /** The channel message ids the run answered (as its `conversation.json` reply lists them). */
  messageIds: string[];
  /** When it was recorded (ISO 8601, UTC). */
  recordedAt: string;
  receipt: Receipt;
}

/** `<conversation dir>/receipts.jsonl`. */
export function receiptsFile(conversationDir: string): string {
  return join(conversationDir, RECEIPTS_FILE);
}

/**
 * Appends a run's receipt to its conversation (one JSON line, one write, so
 * a crash leaves at most a partial last line, which readers skip). The
 * directory is host-only: it is never mounted into a task container.
 */
export async function appendReceipt(conversationDir: string, entry: StoredReceipt): Promise<void> {
  const line = JSON.stringify({ message_ids: entry.messageIds, recorded_at: entry.recordedAt, receipt: entry.receipt });
  await appendFile(receiptsFile(conversationDir), `${line}\n`, { mode: 0o600 });
}

/**
 * Every receipt of a conversation, oldest first; none when it has no file.
 * A line that is not a well-formed receipt (a crash cut it short, an older
 * format) is skipped: a damaged line must not hide the others.
 */
export async function readReceipts(conversationDir: string): Promise<StoredReceipt[]> {
  let text: string;
  try {
    text = await readFile(receiptsFile(conversationDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: StoredReceipt[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseStoredReceipt(line);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

/**
 * The receipt of a conversation's last run, or undefined when it has none.
 * `allow N` in the user's next message refers to the N-th entry of its
 * `blocked` list.
 */
export async function lastReceipt(conversationDir: string): Promise<Receipt | undefined> {
  return (await readReceipts(conversationDir)).at(-1)?.receipt;
}

/**
 * The receipt of the run that answered `messageIds` (the latest such run:
 * a run repeated after a crash answers the same messages again).
 */
export function receiptForMessages(receipts: readonly StoredReceipt[], messageIds: readonly string[]): Receipt | undefined {
  return receipts.findLast((entry) => entry.messageIds.some((id) => messageIds.includes(id)))?.receipt;
}

function parseStoredReceipt(line: string): StoredReceipt | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // A partial last line from a crash: skipped, as documented on readReceipts.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const receipt = parseReceipt(record.receipt);
  if (receipt === undefined || !Array.isArray(record.message_ids) || typeof record.recorded_at !== 'string') return undefined;
  return { messageIds: record.message_ids.filter((id): id is string => typeof id === 'string'), recordedAt: record.recorded_at, receipt };
}
