import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into text lines, however the reads happen to fall.
 *
 * There is no line-length limit: a 10 MB event arrives as one line. Bytes are
 * decoded as UTF-8 with a decoder that carries an incomplete multi-byte
 * character over to the next chunk; invalid bytes become U+FFFD rather than
 * failing the stream. Lines come out without their terminator; `\r\n` counts as
 * one terminator, so CRLF output is handled too.
 *
 * Pending text is kept as a list of pieces and joined once per line, so a long
 * line costs linear time no matter how many reads it took.
 */
export class StreamJsonSplitter {
  readonly #decoder = new StringDecoder('utf8');
  #pending: string[] = [];

  /** Feeds one chunk; returns the lines it completed (possibly none). */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    return this.#take(text);
  }

  /**
   * Ends the stream: returns the last line when the output did not end with a
   * newline (and any character left incomplete, as U+FFFD). Call once, at EOF.
   */
  flush(): string[] {
    const lines = this.#take(this.#decoder.end());
    const last = this.#pending.join('');
    this.#pending = [];
    if (last !== '') lines.push(stripCr(last));
    return lines;
  }

  #take(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.#pending.push(text.slice(start, newline));
      lines.push(stripCr(this.#pending.join('')));
      this.#pending = [];
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.#pending.push(text.slice(start));
    return lines;
  }
}

/**
 * Yields the lines of a byte stream (e.g. a subprocess's stdout) as they
 * complete, and the unterminated last line at the end.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const splitter = new StreamJsonSplitter();
  for await (const chunk of source) {
    yield* splitter.push(chunk);
  }
  yield* splitter.flush();
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
