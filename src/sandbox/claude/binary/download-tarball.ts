import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';
import type { Dispatcher } from 'undici';
import { ClaudeBinaryError, downloadAbortedError } from './error.js';
import { diskError } from './disk-error.js';
import { httpGet } from './http-get.js';
import { createIntegrityHash, integrityMatches, parseIntegrity } from './integrity.js';
import type { NpmRegistry } from './npm-registry.js';
import type { PublishedVersion } from './packument.js';
import { TarEntryWriter, TarFormatError } from './tar-entry-writer.js';

/** Reports download progress: bytes of the tarball received so far and its size when known. */
export type ProgressCallback = (bytes: number, total: number | undefined) => void;

/** Everything {@link downloadBinary} needs besides the published version. */
export interface DownloadOptions {
  registry: NpmRegistry;
  dispatcher?: Dispatcher | undefined;
  /** Path of the file in the tarball to extract. */
  entry: string;
  /** Where the extracted bytes go (the caller owns and removes it on failure). */
  target: FileHandle;
  /** Path of `target`, for messages. */
  targetPath: string;
  onProgress?: ProgressCallback | undefined;
  /** Stops the download; the call then rejects with `CLAUDE_BIN_ABORTED`. */
  signal?: AbortSignal | undefined;
}

/**
 * Streams the tarball of `published` from the registry through a hash and
 * gunzip into `target`, keeping only `entry`, then checks the byte count
 * against Content-Length and the hash against the registry's integrity.
 * Memory use stays constant whatever the binary's size.
 *
 * @returns the size of the extracted entry in bytes
 * @throws ClaudeBinaryError `CLAUDE_BIN_REGISTRY`, `CLAUDE_BIN_TRUNCATED`, `CLAUDE_BIN_INTEGRITY`, `CLAUDE_BIN_ARCHIVE`, `CLAUDE_BIN_DISK` or `CLAUDE_BIN_ABORTED`
 */
export async function downloadBinary(published: PublishedVersion, options: DownloadOptions): Promise<number> {
  const check = parseIntegrity(published.integrity);
  const what = `tarball of Claude Code ${published.version}`;
  if (!check) {
    throw new ClaudeBinaryError('CLAUDE_BIN_INTEGRITY', `The registry gives no sha256/384/512 integrity for the ${what} (got ${JSON.stringify(published.integrity)})`, {
      hint: `Without a checksum the download cannot be trusted; check the registry (${options.registry.source}: ${options.registry.url}).`,
    });
  }
  const response = await httpGet(published.tarball, { registry: options.registry, dispatcher: options.dispatcher, what, signal: options.signal });
  const lengthHeader = response.headers['content-length'];
  const total = typeof lengthHeader === 'string' && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const hash = createIntegrityHash(check);
  let bytes = 0;
  let bodyFailed = false;
  response.body.once('error', () => {
    bodyFailed = true;
  });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      options.onProgress?.(bytes, total);
      callback(null, chunk);
    },
  });
  const extractor = new TarEntryWriter(options.entry, async (chunk) => {
    try {
      await options.target.write(chunk);
    } catch (err) {
      throw diskError(err, options.targetPath);
    }
  });

  const truncated = (detail: string, cause?: unknown): ClaudeBinaryError =>
    new ClaudeBinaryError('CLAUDE_BIN_TRUNCATED', `The ${what} from ${response.url} ended early: ${detail}`, {
      hint: 'The connection to the registry broke off; try again.',
      cause,
    });

  try {
    await pipeline(response.body, meter, createGunzip(), extractor, ...(options.signal === undefined ? [] : [{ signal: options.signal }]));
  } catch (err) {
    if (options.signal?.aborted) throw downloadAbortedError(what, options.signal);
    if (err instanceof ClaudeBinaryError) throw err;
    if (bodyFailed || (total !== undefined && bytes < total)) {
      throw truncated(`got ${bytes} of ${total ?? 'an unknown number of'} bytes (${(err as Error).message})`, err);
    }
    if ((err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') throw truncated(`the gzip stream stops after ${bytes} bytes`, err);
    const reason = err instanceof TarFormatError ? err.message : `it is not a valid gzip file (${(err as Error).message})`;
    throw new ClaudeBinaryError('CLAUDE_BIN_ARCHIVE', `The ${what} from ${response.url} cannot be unpacked: ${reason}`, {
      hint: `The registry (${options.registry.source}: ${options.registry.url}) served something other than the npm package; check the registry or a mirror in between.`,
      cause: err,
    });
  }
  if (total !== undefined && bytes !== total) throw truncated(`got ${bytes} of ${total} bytes`);
  const actual = hash.digest('base64');
  if (!integrityMatches(check, actual)) {
    throw new ClaudeBinaryError('CLAUDE_BIN_INTEGRITY', `The ${what} from ${response.url} does not match the registry's integrity: expected ${check.algorithm}-${check.digests[0] ?? ''}, got ${check.algorithm}-${actual}`, {
      hint: 'The download was altered on the way or the registry metadata is wrong; nothing was installed. Try again, and check any mirror or proxy in between.',
    });
  }
  return extractor.entrySize ?? 0;
}
