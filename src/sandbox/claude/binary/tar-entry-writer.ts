import { Writable } from 'node:stream';

const BLOCK = 512;
// pax and GNU long-name records are tiny; a bigger one means the archive is not what we expect.
const MAX_META_BYTES = 1024 * 1024;

type State =
  | { kind: 'header' }
  | { kind: 'body'; remaining: number; padding: number; target: 'wanted' | 'pax' | 'longname' | 'skip' }
  | { kind: 'padding'; remaining: number }
  | { kind: 'end' };

/** The archive is malformed or does not hold the wanted entry in full. */
export class TarFormatError extends Error {}

/**
 * A Writable that reads an uncompressed tar stream and hands the bytes of one
 * regular-file entry to `sink`, skipping every other entry without buffering it.
 * Understands ustar prefixes, pax `path`/`size` records and GNU long names, which
 * is what npm's packer and common tar tools emit.
 *
 * `sink` is awaited per chunk, so a slow disk slows the download instead of
 * filling memory.
 */
export class TarEntryWriter extends Writable {
  /** Size of the wanted entry once its header was read. */
  entrySize: number | undefined;
  /** True once every byte of the wanted entry went to the sink. */
  complete = false;

  private state: State = { kind: 'header' };
  private header = Buffer.alloc(0);
  private meta: Buffer[] = [];
  private pending: { path?: string; size?: number } = {};

  constructor(
    private readonly wanted: string,
    private readonly sink: (chunk: Buffer) => Promise<void>,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.consume(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.state.kind === 'body' && this.state.target === 'wanted') {
      callback(new TarFormatError(`the archive ends inside ${this.wanted}`));
      return;
    }
    callback(this.complete ? null : new TarFormatError(`the archive has no regular file ${this.wanted}`));
  }

  private async consume(input: Buffer): Promise<void> {
    let chunk = input;
    while (chunk.length > 0) {
      const state = this.state;
      if (state.kind === 'end') return;
      if (state.kind === 'header') {
        const need = BLOCK - this.header.length;
        this.header = Buffer.concat([this.header, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (this.header.length === BLOCK) {
          const block = this.header;
          this.header = Buffer.alloc(0);
          this.onHeader(block);
        }
        continue;
      }
      if (state.kind === 'padding') {
        const take = Math.min(state.remaining, chunk.length);
        chunk = chunk.subarray(take);
        state.remaining -= take;
        if (state.remaining === 0) this.state = { kind: 'header' };
        continue;
      }
      const take = Math.min(state.remaining, chunk.length);
      const piece = chunk.subarray(0, take);
      chunk = chunk.subarray(take);
      state.remaining -= take;
      if (state.target === 'wanted' && piece.length > 0) await this.sink(piece);
      if (state.target === 'pax' || state.target === 'longname') this.meta.push(Buffer.from(piece));
      if (state.remaining === 0) this.onBodyEnd(state);
    }
  }

  private onHeader(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      // Two zero blocks end the archive; one is enough to stop looking, as tar tools do.
      this.state = { kind: 'end' };
      return;
    }
    if (!checksumMatches(block)) throw new TarFormatError('a tar header has a wrong checksum');
    const type = String.fromCharCode(block[156] ?? 0);
    const size = this.pending.size ?? readNumber(block.subarray(124, 136));
    const prefix = readString(block.subarray(345, 500));
    const name = readString(block.subarray(0, 100));
    const ustar = readString(block.subarray(257, 263)).startsWith('ustar');
    const path = normalise(this.pending.path ?? (ustar && prefix ? `${prefix}/${name}` : name));
    this.pending = {};
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    let target: 'wanted' | 'pax' | 'longname' | 'skip' = 'skip';
    if (type === 'x' || type === 'L') {
      if (size > MAX_META_BYTES) throw new TarFormatError(`a tar metadata record of ${size} bytes is too large`);
      target = type === 'x' ? 'pax' : 'longname';
    } else if (path === this.wanted && (type === '0' || type === '\0' || type === '7')) {
      target = 'wanted';
      this.entrySize = size;
    }
    this.state = { kind: 'body', remaining: size, padding, target };
    if (size === 0) this.onBodyEnd(this.state);
  }

  private onBodyEnd(state: Extract<State, { kind: 'body' }>): void {
    if (state.target === 'wanted') this.complete = true;
    if (state.target === 'pax') this.pending = parsePax(Buffer.concat(this.meta));
    if (state.target === 'longname') this.pending = { path: readString(Buffer.concat(this.meta)) };
    this.meta = [];
    this.state = state.padding > 0 ? { kind: 'padding', remaining: state.padding } : { kind: 'header' };
  }
}

function normalise(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

function readString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function readNumber(field: Buffer): number {
  // GNU base-256 for values that do not fit the octal field (files over 8 GiB).
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = readString(field).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`a tar header has a bad number ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checksumMatches(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return readNumber(block.subarray(148, 156)) === sum;
}

function parsePax(data: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) throw new TarFormatError('a pax record has a bad length');
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    at += length;
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') {
      if (!/^\d+$/.test(value)) throw new TarFormatError(`a pax size ${JSON.stringify(value)} is not a number`);
      out.size = Number(value);
    }
  }
  return out;
}
