import { StringDecoder } from 'node:string_decoder';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { TokenCounts } from './price-table.js';

/** What a Messages API response said it used, or why that could not be read. */
export type UsageOutcome = ({ ok: true; model: string } & TokenCounts) | { ok: false; problem: string };

/** A JSON body larger than this is not read for usage (Messages API answers are far smaller). */
const MAX_JSON_BYTES = 8 * 1024 * 1024;
/** An SSE event's data beyond this is skipped: only the small message_start / message_delta events matter. */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Reads the usage of one Messages API response from a copy of its bytes, as
 * they stream to the client: `write` every chunk the client gets, then `end`
 * (complete) or `abort` (cut off). It never holds up the response: a
 * compressed body is decoded by its own decoder, and the outcome arrives
 * through `onDone`, once, possibly after the client got the last byte.
 *
 * SSE: `message_start` names the model and the input-side counts;
 * `message_delta` carries the final `output_tokens`. JSON: `model` and `usage`.
 */
export class UsageTap {
  private readonly decoder: Transform | undefined;
  private readonly parser: SseUsage | JsonUsage;
  private readonly onDone: (outcome: UsageOutcome) => void;
  private done = false;

  constructor(contentType: string | undefined, contentEncoding: string | undefined, onDone: (outcome: UsageOutcome) => void) {
    this.onDone = onDone;
    this.parser = (contentType ?? '').toLowerCase().includes('text/event-stream') ? new SseUsage() : new JsonUsage();
    const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') {
      this.decoder = undefined;
      return;
    }
    const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip()
      : encoding === 'br' ? createBrotliDecompress()
        : encoding === 'deflate' ? createInflate()
          : undefined;
    if (decoder === undefined) {
      this.decoder = undefined;
      this.finish({ ok: false, problem: `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}` });
      return;
    }
    this.decoder = decoder;
    decoder.on('data', (chunk: Buffer) => this.parser.feed(chunk));
    decoder.on('end', () => this.finish(this.parser.outcome()));
    decoder.on('error', (error: Error) => this.finish({ ok: false, problem: `the ${encoding} body could not be decoded (${error.message})` }));
  }

  /** A chunk of the response body, exactly as the client gets it. */
  write(chunk: Buffer): void {
    if (this.done) return;
    if (this.decoder === undefined) this.parser.feed(chunk);
    else this.decoder.write(chunk);
  }

  /** The response body is complete. */
  end(): void {
    if (this.done) return;
    if (this.decoder === undefined) this.finish(this.parser.outcome());
    else this.decoder.end();
  }

  /** The response ended before its end (upstream or client gone). */
  abort(problem: string): void {
    this.decoder?.destroy();
    this.finish({ ok: false, problem });
  }

  private finish(outcome: UsageOutcome): void {
    if (this.done) return;
    this.done = true;
    this.onDone(outcome);
  }
}

interface Counts {
  model?: string;
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheRead?: number;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Takes the counts a `usage` object carries; absent ones keep their earlier value. */
function takeUsage(counts: Counts, usage: unknown): void {
  if (typeof usage !== 'object' || usage === null) return;
  const u = usage as Record<string, unknown>;
  counts.input = count(u.input_tokens) ?? counts.input;
  counts.output = count(u.output_tokens) ?? counts.output;
  counts.cacheWrite = count(u.cache_creation_input_tokens) ?? counts.cacheWrite;
  counts.cacheRead = count(u.cache_read_input_tokens) ?? counts.cacheRead;
}

function toOutcome(counts: Counts, missing: string): UsageOutcome {
  if (counts.model === undefined || counts.input === undefined || counts.output === undefined) return { ok: false, problem: missing };
  return {
    ok: true,
    model: counts.model,
    input_tokens: counts.input,
    output_tokens: counts.output,
    cache_creation_input_tokens: counts.cacheWrite ?? 0,
    cache_read_input_tokens: counts.cacheRead ?? 0,
  };
}

class SseUsage {
  private readonly text = new StringDecoder('utf8');
  private pending = '';
  /** The current line grew past the limit: its rest is skipped up to the next newline. */
  private skipping = false;
  private data = '';
  private dataTooLarge = false;
  private readonly counts: Counts = {};
  private started = false;
  private delta = false;
  private error: string | undefined;

  feed(chunk: Buffer): void {
    const text = this.text.write(chunk);
    let from = 0;
    for (;;) {
      const newline = text.indexOf('\n', from);
      if (newline < 0) break;
      const piece = text.slice(from, newline);
      from = newline + 1;
      if (this.skipping) {
        this.skipping = false;
        this.pending = '';
        continue;
      }
      const line = this.pending + piece;
      this.pending = '';
      this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.skipping) return;
    this.pending += text.slice(from);
    if (this.pending.length > MAX_EVENT_BYTES) {
      this.pending = '';
      this.skipping = true;
      this.dataTooLarge = true;
    }
  }

  outcome(): UsageOutcome {
    if (this.pending !== '') this.line(this.pending);
    this.line('');
    if (this.error !== undefined) return { ok: false, problem: `the stream reported an error (${this.error})` };
    if (!this.started) return { ok: false, problem: 'the stream had no message_start event' };
    if (!this.delta) return { ok: false, problem: 'the stream ended before its message_delta event (no final output_tokens)' };
    return toOutcome(this.counts, 'message_start had no model or usage');
  }

  private line(line: string): void {
    if (line === '') {
      const data = this.data;
      const skip = this.dataTooLarge;
      this.data = '';
      this.dataTooLarge = false;
      if (!skip && data !== '') this.event(data);
      return;
    }
    if (!line.startsWith('data:')) return;
    const value = line.slice(line.startsWith('data: ') ? 6 : 5);
    if (this.data.length + value.length > MAX_EVENT_BYTES) this.dataTooLarge = true;
    else this.data = this.data === '' ? value : `${this.data}\n${value}`;
  }

  private event(data: string): void {
    // Most events are text deltas: only the few that carry usage are parsed.
    if (!data.includes('"message_start"') && !data.includes('"message_delta"') && !data.includes('"error"')) return;
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      // Not JSON: not an event this reader knows; the outcome says what was missing.
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const event = value as Record<string, unknown>;
    if (event.type === 'message_start' && typeof event.message === 'object' && event.message !== null) {
      const message = event.message as Record<string, unknown>;
      this.started = true;
      if (typeof message.model === 'string') this.counts.model = message.model;
      takeUsage(this.counts, message.usage);
    } else if (event.type === 'message_delta') {
      this.delta = true;
      takeUsage(this.counts, event.usage);
    } else if (event.type === 'error') {
      const error = event.error as Record<string, unknown> | undefined;
      this.error = typeof error?.type === 'string' ? error.type : 'error';
    }
  }
}

class JsonUsage {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private tooLarge = false;

  feed(chunk: Buffer): void {
    if (this.tooLarge) return;
    this.bytes += chunk.length;
    if (this.bytes > MAX_JSON_BYTES) {
      this.tooLarge = true;
      this.chunks.length = 0;
      return;
    }
    this.chunks.push(chunk);
  }

  outcome(): UsageOutcome {
    if (this.tooLarge) return { ok: false, problem: `the JSON body is larger than ${MAX_JSON_BYTES} bytes` };
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(this.chunks).toString('utf8'));
    } catch {
      return { ok: false, problem: 'the body is not JSON' };
    }
    if (typeof value !== 'object' || value === null) return { ok: false, problem: 'the body is not a JSON object' };
    const record = value as Record<string, unknown>;
    const counts: Counts = {};
    if (typeof record.model === 'string') counts.model = record.model;
    takeUsage(counts, record.usage);
    return toOutcome(counts, 'the body has no model or usage');
  }
}
