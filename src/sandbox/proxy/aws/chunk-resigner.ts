import { createHash, createHmac, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { EMPTY_SHA256 } from './sigv4-signature.js';

/** Where a chunk signature chain starts: the re-signed seed (the request's own signature). */
export interface ChunkChain {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  /** `DATE/REGION/SERVICE/aws4_request`. */
  readonly scope: string;
  readonly seedSignature: string;
}

/** A chunk larger than this is not held to re-sign it: the rest of the body passes as sent (and fails upstream). */
export const MAX_SIGNED_CHUNK_BYTES = 16 * 1024 * 1024;
/** Longest chunk header or trailer line read. */
const MAX_LINE_BYTES = 4096;
const CHUNK_HEADER = /^([0-9a-fA-F]{1,8});chunk-signature=[0-9a-f]{64}$/;
const TRAILER_SIGNATURE = /^x-amz-trailer-signature:[0-9a-f]{64}$/;
const CRLF = Buffer.from('\r\n');

type State = 'header' | 'data' | 'data-end' | 'trailer' | 'done' | 'raw';

/**
 * Re-signs an `aws-chunked` body signed chunk by chunk
 * (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`, AWS-06) as it streams:
 * each `SIZE;chunk-signature=SIG` gets the signature of the chain that
 * starts at the re-signed seed, the final trailer's
 * `x-amz-trailer-signature` too. Sizes and signature lengths are unchanged,
 * so Content-Length stays right. Memory is one chunk at a time: a chunk's
 * signature precedes its data, so its data is held until it is hashed.
 *
 * Anything that is not well-formed aws-chunked (or a chunk over
 * {@link MAX_SIGNED_CHUNK_BYTES}) switches to passing the rest through as
 * sent: the upstream then refuses the body; nothing is blocked, no key
 * leaves.
 */
export class ChunkResigner extends Transform {
  #state: State = 'header';
  #line: Buffer[] = [];
  #lineBytes = 0;
  #need = 0;
  #size = 0;
  #data: Buffer[] = [];
  /** The client's header line of the chunk being held, for a pass-through mid-chunk. */
  #header: Buffer | undefined;
  #hash: Hash | undefined;
  #previous: string;
  #trailers: string[] = [];

  constructor(private readonly chain: ChunkChain) {
    super();
    this.#previous = chain.seedSignature;
  }

  /** True once the body turned out not to be re-signable and passes through as sent. */
  get passingThrough(): boolean {
    return this.#state === 'raw';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#state === 'raw' || this.#state === 'done') {
        this.push(chunk.subarray(at));
        break;
      }
      if (this.#state === 'data') {
        const piece = chunk.subarray(at, at + this.#need);
        this.#data.push(piece);
        this.#hash?.update(piece);
        this.#need -= piece.length;
        at += piece.length;
        if (this.#need === 0) this.#state = 'data-end';
        continue;
      }
      const eol = chunk.indexOf(0x0a, at);
      const end = eol < 0 ? chunk.length : eol + 1;
      this.#line.push(chunk.subarray(at, end));
      this.#lineBytes += end - at;
      at = end;
      if (this.#lineBytes > MAX_LINE_BYTES) {
        this.#passThrough();
        continue;
      }
      if (eol >= 0) this.#onLine();
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A body cut short: what was held goes on as it came.
    if (this.#state !== 'done' && this.#state !== 'raw') this.#passThrough();
    callback();
  }

  #onLine(): void {
    const raw = Buffer.concat(this.#line);
    const text = raw.toString('latin1');
    this.#line = [];
    this.#lineBytes = 0;
    if (!text.endsWith('\r\n')) {
      this.#line = [raw];
      this.#passThrough();
      return;
    }
    const line = text.slice(0, -2);
    if (this.#state === 'data-end') {
      if (line !== '') {
        this.#line = [raw];
        this.#passThrough();
        return;
      }
      const signature = this.#sign('AWS4-HMAC-SHA256-PAYLOAD', EMPTY_SHA256, (this.#hash as Hash).digest('hex'));
      // One write per chunk: many small writes would each become a TLS record upstream.
      this.push(Buffer.concat([Buffer.from(`${this.#size.toString(16)};chunk-signature=${signature}\r\n`), ...this.#data, CRLF]));
      this.#data = [];
      this.#hash = undefined;
      this.#state = 'header';
      return;
    }
    if (this.#state === 'header') {
      const match = CHUNK_HEADER.exec(line);
      const size = match === null ? NaN : parseInt(match[1] as string, 16);
      if (!(size >= 0) || size > MAX_SIGNED_CHUNK_BYTES) {
        this.#line = [raw];
        this.#passThrough();
        return;
      }
      this.#size = size;
      if (size === 0) {
        this.push(`0;chunk-signature=${this.#sign('AWS4-HMAC-SHA256-PAYLOAD', EMPTY_SHA256, EMPTY_SHA256)}\r\n`);
        this.#state = 'trailer';
        return;
      }
      this.#need = size;
      this.#header = raw;
      this.#hash = createHash('sha256');
      this.#state = 'data';
      return;
    }
    // Trailer section: trailing headers, then their signature, then an empty line.
    if (line === '') {
      this.push('\r\n');
      this.#state = 'done';
    } else if (TRAILER_SIGNATURE.test(line)) {
      const canonical = this.#trailers.map((t) => `${t}\n`).join('');
      const signature = this.#sign('AWS4-HMAC-SHA256-TRAILER', createHash('sha256').update(canonical).digest('hex'));
      this.push(`x-amz-trailer-signature:${signature}\r\n`);
    } else {
      const colon = line.indexOf(':');
      this.#trailers.push(`${line.slice(0, colon).trim().toLowerCase()}:${line.slice(colon + 1).trim()}`);
      this.push(raw);
    }
  }

  /** The next signature of the chain over `hashes` (the string to sign's last lines). */
  #sign(algorithm: string, ...hashes: string[]): string {
    const stringToSign = [algorithm, this.chain.amzDate, this.chain.scope, this.#previous, ...hashes].join('\n');
    this.#previous = createHmac('sha256', this.chain.signingKey).update(stringToSign).digest('hex');
    return this.#previous;
  }

  /** Everything held so far and all that follows goes on as it came. */
  #passThrough(): void {
    if (this.#state === 'data' || this.#state === 'data-end') {
      if (this.#header !== undefined) this.push(this.#header);
      for (const piece of this.#data) this.push(piece);
    }
    for (const piece of this.#line) this.push(piece);
    this.#data = [];
    this.#line = [];
    this.#state = 'raw';
  }
}
