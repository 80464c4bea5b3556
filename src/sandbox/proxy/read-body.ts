import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** Thrown for a `Content-Encoding` the proxy cannot decode: the body cannot be inspected, so the request is refused. */
export class UnsupportedEncodingError extends Error {
  constructor(encoding: string) {
    super(`the Content-Encoding ${JSON.stringify(encoding.slice(0, 60))} cannot be decoded (known: gzip, x-gzip, deflate, br, identity)`);
    this.name = 'UnsupportedEncoding';
  }
}

/** Thrown when decoding a body would exceed the cap (a compression bomb, or simply too big). */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`the decoded body exceeds ${limit} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * Bytes of request bodies all requests together may hold in memory at once.
 * One proxy serves one task; without a shared bound, many parallel uploads
 * each under the per-request cap could still exhaust the proxy.
 */
export class BodyBudget {
  #used = 0;

  /** @param limit bytes that may be held at once */
  constructor(readonly limit: number) {}

  /** Takes `bytes`; false (taking nothing) when that would exceed the limit. */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  /** Gives back what {@link BodyBudget.take} took. */
  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** Why a body was not read to its end. */
export type UnreadBody = 'too-large' | 'busy';

/**
 * Reads a request body of at most `limit` bytes into memory, holding its
 * bytes in `budget` until the caller releases them. Resolves `too-large` as
 * soon as more than `limit` arrives, `busy` when the budget runs out
 * (reading stops, nothing is held; the caller refuses the request and closes
 * the connection).
 *
 * @throws the request's error when the client goes away mid-body (nothing is held then either)
 */
export function readBodyCapped(req: IncomingMessage, limit: number, budget: BodyBudget): Promise<Buffer | UnreadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const stop = (why: UnreadBody): void => {
      cleanup();
      req.pause();
      budget.release(size);
      resolve(why);
    };
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > limit) {
        stop('too-large');
        return;
      }
      if (!budget.take(chunk.length)) {
        stop('busy');
        return;
      }
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      budget.release(size);
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      budget.release(size);
      reject(new Error('the client closed the connection before the body was complete'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The `Content-Encoding` codings of a request, in the order they were
 * applied, from every such header in the raw (forwarded) header list;
 * `identity` entries are dropped.
 */
export function contentCodings(rawHeaders: readonly string[]): string[] {
  const codings: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== 'content-encoding') continue;
    for (const token of (rawHeaders[i + 1] as string).split(',')) {
      const coding = token.trim().toLowerCase();
      if (coding !== 'identity') codings.push(coding === '' ? token : coding);
    }
  }
  return codings;
}

/**
 * Undoes `codings` (last applied first) on `raw`, never producing more than
 * `limit` bytes at any step.
 *
 * @throws UnsupportedEncodingError for an unknown coding, BodyTooLargeError
 *   past the limit, or zlib's error for corrupt data
 */
export function decodeBody(raw: Buffer, codings: readonly string[], limit: number): Buffer {
  let body = raw;
  for (const coding of [...codings].reverse()) {
    // One byte over the limit is enough to know it is too large.
    const options = { maxOutputLength: limit + 1 };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') body = gunzipSync(body, options);
      else if (coding === 'deflate') body = inflateSync(body, options);
      else if (coding === 'br') body = brotliDecompressSync(body, options);
      else throw new UnsupportedEncodingError(coding);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(limit);
      throw error;
    }
    if (body.length > limit) throw new BodyTooLargeError(limit);
  }
  return body;
}
