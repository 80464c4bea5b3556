import { closeSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import type { ClaudeEvent } from '../claude/stream/index.js';
import { EventLogError } from './error.js';

const NEWLINE = 0x0a;

/**
 * The append-only `events.jsonl` of one conversation: one stream-json event per
 * line, exactly as Claude Code printed it, and an empty line before each reply
 * but the first.
 *
 * Writes are synchronous on an append-mode descriptor: each line reaches the
 * file, whole and in order, before `appendRaw` returns, so a reader polling the
 * file (dashboard, TUI) sees events as they stream and never out of order. The
 * file is opened on first use, so a log that is never written is never created.
 */
export class EventLog {
  /** The file this log appends to. */
  readonly path: string;
  #fd: number | undefined;
  #closed = false;
  /** The file ends in an unterminated line (a writer died mid-line): end it before writing. */
  #danglingLine = false;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * Marks the start of a reply: writes the empty separator line when the file
   * already holds events, and nothing otherwise. Call before each run,
   * including a retry in a fresh session.
   */
  startReply(): void {
    if (this.#fd === undefined && !this.#closed && !this.#hasContent()) return;
    const fd = this.#open();
    const size = this.#sizeOf(fd);
    if (size === 0) return;
    this.#danglingLine = !this.#endsWithNewline(fd, size);
    this.#write(fd, '\n');
  }

  /**
   * Appends one event line as received (surrounding whitespace, such as a
   * `\r`, is dropped). The caller decides what is an event; pass only lines
   * that {@link parseStreamJsonLine} accepted, so the log stays readable.
   *
   * @throws EventLogError `EVENT_LOG_INVALID_LINE` for a blank line or one with
   *   a newline inside (either would break the reply layout),
   *   `EVENT_LOG_CLOSED` after {@link close}, `EVENT_LOG_WRITE_FAILED` when
   *   the file cannot be written.
   */
  appendRaw(line: string): void {
    const text = line.trim();
    if (text === '') {
      throw new EventLogError('EVENT_LOG_INVALID_LINE', `Refusing to append a blank line to ${this.path}: a blank line separates replies.`, this.path, {
        hint: 'Pass only lines that parse as stream-json events.',
      });
    }
    const inner = text.indexOf('\n');
    if (inner !== -1) {
      throw new EventLogError('EVENT_LOG_INVALID_LINE', `Refusing to append a line with a newline at character ${inner} to ${this.path}: one event is one line.`, this.path, {
        hint: 'Split the output into lines first (StreamJsonSplitter).',
      });
    }
    this.#write(this.#open(), `${text}\n`);
  }

  /** Appends a parsed event's original line; see {@link appendRaw}. */
  append(event: ClaudeEvent): void {
    this.appendRaw(event.raw);
  }

  /** Closes the file. Later appends throw `EVENT_LOG_CLOSED`; closing twice is harmless. */
  close(): Promise<void> {
    this.#closed = true;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return Promise.resolve();
    try {
      closeSync(fd);
    } catch (cause) {
      return Promise.reject(this.#writeError('close', cause));
    }
    return Promise.resolve();
  }

  /** True when the file exists and is not empty; checked without creating it. */
  #hasContent(): boolean {
    try {
      return statSync(this.path).size > 0;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.#writeError('stat', cause);
    }
  }

  #open(): number {
    if (this.#closed) {
      throw new EventLogError('EVENT_LOG_CLOSED', `The event log ${this.path} is closed.`, this.path, {
        hint: 'Create a new EventLog for the next run.',
      });
    }
    if (this.#fd !== undefined) return this.#fd;
    let fd: number;
    try {
      fd = openSync(this.path, 'a+');
    } catch (cause) {
      throw this.#writeError('open', cause);
    }
    this.#fd = fd;
    const size = this.#sizeOf(fd);
    this.#danglingLine = size > 0 && !this.#endsWithNewline(fd, size);
    return fd;
  }

  #sizeOf(fd: number): number {
    try {
      return fstatSync(fd).size;
    } catch (cause) {
      throw this.#writeError('stat', cause);
    }
  }

  #endsWithNewline(fd: number, size: number): boolean {
    const last = Buffer.alloc(1);
    try {
      readSync(fd, last, 0, 1, size - 1);
    } catch (cause) {
      throw this.#writeError('read the end of', cause);
    }
    return last[0] === NEWLINE;
  }

  #write(fd: number, text: string): void {
    const data = Buffer.from(this.#danglingLine ? `\n${text}` : text, 'utf8');
    let done = 0;
    try {
      // writeSync may write less than asked (large lines, signals): loop until all is out.
      while (done < data.length) done += writeSync(fd, data, done, data.length - done);
    } catch (cause) {
      if (done > 0) this.#danglingLine = data[done - 1] !== NEWLINE;
      throw this.#writeError('write', cause);
    }
    this.#danglingLine = false;
  }

  #writeError(action: string, cause: unknown): EventLogError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new EventLogError('EVENT_LOG_WRITE_FAILED', `Cannot ${action} the event log ${this.path}: ${reason}`, this.path, {
      hint: 'Check that the directory exists, is writable by this user, and that the disk has free space.',
      cause,
    });
  }
}
