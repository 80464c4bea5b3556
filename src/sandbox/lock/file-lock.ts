import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isProcessAlive, type ProcessProbe } from '../runtime/orphans.js';

/** A held lock; `release` is idempotent. */
export interface FileLock {
  release(): Promise<void>;
}

/** Who holds a lock, as written into the lock file. */
export interface LockHolder {
  pid: number;
  host: string;
}

/** Tuning, the injected world, and how failures are reported, for {@link acquireFileLock}. */
export interface FileLockOptions {
  /** Milliseconds since the epoch. */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** A lock whose file was not touched for this long is taken over. */
  staleMs: number;
  /** Give up waiting for a live holder after this long. */
  waitMs: number;
  /** Tells whether a process on this host is alive. Default: signal 0. */
  isAlive?: ProcessProbe;
  /** The error thrown after `waitMs`; `holder` when the lock file names one. */
  timeoutError: (path: string, holder: LockHolder | undefined) => Error;
  /** Turns a file-system failure on the lock file into the caller's error. */
  diskError: (error: unknown, path: string) => Error;
}

/**
 * Takes an exclusive lock shared by every process on the host: the lock is the
 * file itself, created with O_EXCL and holding `{pid, host}`. The holder touches
 * it every `staleMs / 4`, so a long download or build keeps it fresh; a lock
 * whose holder died on this host, or that went untouched for `staleMs`, is
 * taken over.
 *
 * Taking over a stale lock has a narrow race (two waiters may both judge it
 * stale and one may remove the other's fresh lock); callers must keep their
 * result correct anyway (atomic renames), so the cost is only duplicate work.
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  const started = options.clock();
  let delay = 20;
  for (;;) {
    const lock = await tryFileLock(path, options);
    if (lock) return lock;
    if (options.clock() - started > options.waitMs) throw options.timeoutError(path, await readHolder(path));
    await options.sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** Takes the lock if it is free or stale; `undefined` when a live holder has it. */
export async function tryFileLock(path: string, options: Pick<FileLockOptions, 'clock' | 'staleMs' | 'isAlive' | 'diskError'>): Promise<FileLock | undefined> {
  const lock = await create(path, options);
  if (lock) return lock;
  if (!(await isStale(path, options))) return undefined;
  // Move it aside first: rename is atomic, so only one waiter removes a given stale file.
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
    await unlink(aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw options.diskError(err, path);
  }
  return create(path, options);
}

async function create(path: string, options: Pick<FileLockOptions, 'staleMs' | 'diskError'>): Promise<FileLock | undefined> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw options.diskError(err, path);
  }
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockHolder));
    await handle.close();
  } catch (err) {
    // Clean-up after a failed write: the write error is the one worth reporting.
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw options.diskError(err, path);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    // A missed touch only risks a takeover after staleMs; nothing to report here.
    utimes(path, now, now).catch(() => undefined);
  }, Math.max(1000, Math.floor(options.staleMs / 4)));
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw options.diskError(err, path);
      });
    },
  };
}

async function isStale(path: string, options: Pick<FileLockOptions, 'clock' | 'staleMs' | 'isAlive' | 'diskError'>): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw options.diskError(err, path);
  }
  if (options.clock() - mtimeMs > options.staleMs) return true;
  const holder = await readHolder(path);
  return holder !== undefined && holder.host === hostname() && !(options.isAlive ?? isProcessAlive)(holder.pid);
}

/** The holder named in the lock file, or undefined when it is missing, half-written or garbage. */
export async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof value === 'object' && value !== null) {
      const { pid, host } = value as Record<string, unknown>;
      if (typeof pid === 'number' && typeof host === 'string') return { pid, host };
    }
  } catch {
    // Missing, half-written by a holder that is still starting, or garbage: judge by age alone.
  }
  return undefined;
}
