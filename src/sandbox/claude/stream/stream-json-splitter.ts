import { LineSplitter } from '../../runtime/index.js';

/**
 * Cuts Claude Code's stdout into stream-json lines, however the reads happen to
 * fall: no line-length limit (a 10 MB event is one line), UTF-8 characters
 * split between reads reassembled, invalid bytes as U+FFFD. This is the
 * runtime's {@link LineSplitter} with the terminators removed; `\r\n` counts as
 * one terminator, so CRLF output is handled too.
 */
export class StreamJsonSplitter {
  readonly #lines = new LineSplitter();

  /** Feeds one chunk; returns the lines it completed (possibly none). */
  push(chunk: Uint8Array | string): string[] {
    return this.#lines.push(chunk).map(stripTerminator);
  }

  /**
   * Ends the stream: returns the last line when the output did not end with a
   * newline (and any character left incomplete, as U+FFFD). Call once, at EOF.
   */
  flush(): string[] {
    return this.#lines.end().map(stripTerminator);
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

function stripTerminator(line: string): string {
  const end = line.endsWith('\r\n') ? 2 : line.endsWith('\n') || line.endsWith('\r') ? 1 : 0;
  return end === 0 ? line : line.slice(0, -end);
}
