import { open, readFile } from 'node:fs/promises';
import { parseStreamJsonLine, type ClaudeEvent } from '../claude/stream/index.js';
import { EventLogError } from './error.js';

const NEWLINE = 0x0a;

/** Events read from a byte offset of an event log, and where to continue. */
export interface EventLogChunk {
  /** Events of the complete lines after the offset, in file order, reply separators skipped. */
  events: ClaudeEvent[];
  /** Pass this to the next call: it points just past the last complete line read. */
  nextOffset: number;
}

/**
 * Reads a whole event log as replies: one array of events per reply, in order.
 * Lines that do not parse are skipped, and replies left empty by that are
 * dropped. A missing file is an empty log.
 *
 * @throws EventLogError `EVENT_LOG_READ_FAILED` when the file exists but cannot be read.
 */
export async function readReplies(path: string): Promise<ClaudeEvent[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (isMissing(cause)) return [];
    throw readError(path, cause);
  }
  const replies: ClaudeEvent[][] = [];
  let current: ClaudeEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.length > 0) replies.push(current);
      current = [];
      continue;
    }
    const event = parseStreamJsonLine(line);
    if (event !== undefined) current.push(event);
  }
  if (current.length > 0) replies.push(current);
  return replies;
}

/**
 * Reads the events written after byte `offset`, for following a log while it
 * grows. Only complete lines count: a line still being written is neither
 * returned nor consumed, so the next call (from `nextOffset`) gets it whole.
 * Reply separators are skipped. A missing file gives `{ events: [], nextOffset: 0 }`;
 * an offset at or past the end gives no events and the same offset back.
 *
 * @throws EventLogError `EVENT_LOG_BAD_OFFSET` for a negative or fractional
 *   offset, `EVENT_LOG_READ_FAILED` when the file exists but cannot be read.
 */
export async function readFromOffset(path: string, offset: number): Promise<EventLogChunk> {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new EventLogError('EVENT_LOG_BAD_OFFSET', `Cannot read ${path} from offset ${String(offset)}: an offset is a whole number of bytes, 0 or more.`, path, {
      hint: 'Start at 0 and pass back the nextOffset of the previous read.',
    });
  }
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    if (isMissing(cause)) return { events: [], nextOffset: 0 };
    throw readError(path, cause);
  }
  let bytes: Buffer;
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { events: [], nextOffset: offset };
    bytes = Buffer.alloc(size - offset);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    bytes = bytes.subarray(0, filled);
  } catch (cause) {
    throw readError(path, cause);
  } finally {
    await handle.close();
  }
  // A newline byte never occurs inside a UTF-8 multi-byte character, so cutting
  // after the last one never splits a character.
  const end = bytes.lastIndexOf(NEWLINE);
  if (end === -1) return { events: [], nextOffset: offset };
  const events: ClaudeEvent[] = [];
  for (const line of bytes.toString('utf8', 0, end).split('\n')) {
    const event = parseStreamJsonLine(line);
    if (event !== undefined) events.push(event);
  }
  return { events, nextOffset: offset + end + 1 };
}

function isMissing(cause: unknown): boolean {
  return cause instanceof Error && (cause as NodeJS.ErrnoException).code === 'ENOENT';
}

function readError(path: string, cause: unknown): EventLogError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EventLogError('EVENT_LOG_READ_FAILED', `Cannot read the event log ${path}: ${reason}`, path, {
    hint: 'Check that the file is readable by this user.',
    cause,
  });
}
