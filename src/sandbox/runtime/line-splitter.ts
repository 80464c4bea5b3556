import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into lines of any length. Multi-byte UTF-8 characters
 * split across chunks are reassembled; invalid bytes become U+FFFD. Each line
 * keeps its `\n`; {@link end} flushes a final line without one.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  // Pieces of the current line, joined once when its newline arrives, so a
  // very long line costs linear time.
  private pending: string[] = [];

  /** Feeds one chunk; returns the lines it completed. */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const lines: string[] = [];
    let start = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', start)) {
      this.pending.push(text.slice(start, at + 1));
      lines.push(this.pending.join(''));
      this.pending = [];
      start = at + 1;
    }
    if (start < text.length) this.pending.push(text.slice(start));
    return lines;
  }

  /** Ends the stream; returns the last line when it had no newline. */
  end(): string[] {
    const rest = this.decoder.end();
    if (rest) this.pending.push(rest);
    const last = this.pending.join('');
    this.pending = [];
    return last ? [last] : [];
  }
}
