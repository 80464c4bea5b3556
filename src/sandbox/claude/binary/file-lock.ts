import { open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ClaudeBinaryError } from './error.js';
import { diskError } from './disk-error.js';

/** A held lock; `release` is idempotent. */
export interface FileLock {
  release(): Promise<void>;
}

/** Tuning and the injected world for {@link acquireFileLock}. */
export interface FileLockOptions {
  /** Milliseconds since the epoch. */
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  /** A lock whose file was not touched for this long is taken over. */
  staleMs: number;
  /** Give up waiting for a live holder after this long. */
  waitMs: number;
}

interface Holder {
  pid: number;
  host: string;
}

/**
 * Takes an exclusive lock shared by every process on the host: the lock is the
 * file itself, created with O_EXCL. The holder touches it every `staleMs / 4`
 * so a long download keeps it fresh; a lock whose holder died on this host, or
 * that went untouched for `staleMs`, is taken over.
 *
 * Taking over a stale lock has a narrow race (two waiters may both judge it stale
 * and one may remove the other's fresh lock); both then download, and the atomic
 * rename keeps the result correct, only the work is done twice.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_LOCK` after `waitMs`, `CLAUDE_BIN_DISK` when the file cannot be created
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<FileLock> {
  const started = options.clock();
  let delay = 20;
  for (;;) {
    const lock = await tryFileLock(path, options);
    if (lock) return lock;
    if (options.clock() - started > options.waitMs) {
      const holder = await readHolder(path);
      throw new ClaudeBinaryError('CLAUDE_BIN_LOCK', `Waited ${Math.round(options.waitMs / 1000)} s for the lock ${path}${holder ? ` held by pid ${holder.pid} on ${holder.host}` : ''}`, {
        hint: `If no other Airut process is downloading Claude Code, remove ${path}.`,
      });
    }
    await options.sleep(delay);
    delay = Math.min(delay * 2, 250);
  }
}

/** Takes the lock if it is free or stale; `undefined` when a live holder has it. */
export async function tryFileLock(path: string, options: Pick<FileLockOptions, 'clock' | 'staleMs'>): Promise<FileLock | undefined> {
  const lock = await create(path, options.staleMs);
  if (lock) return lock;
  if (!(await isStale(path, options))) return undefined;
  // Move it aside first: rename is atomic, so only one waiter removes a given stale file.
  const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
    await unlink(aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw diskError(err, path);
  }
  return create(path, options.staleMs);
}

async function create(path: string, staleMs: number): Promise<FileLock | undefined> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw diskError(err, path);
  }
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies Holder));
    await handle.close();
  } catch (err) {
    // Clean-up after a failed write: the write error is the one worth reporting.
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw diskError(err, path);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    // A missed touch only risks a takeover after staleMs; nothing to report here.
    utimes(path, now, now).catch(() => undefined);
  }, Math.max(1000, Math.floor(staleMs / 4)));
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw diskError(err, path);
      });
    },
  };
}

async function isStale(path: string, options: Pick<FileLockOptions, 'clock' | 'staleMs'>): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw diskError(err, path);
  }
  if (options.clock() - mtimeMs > options.staleMs) return true;
  const holder = await readHolder(path);
  return holder !== undefined && holder.host === hostname() && !isAlive(holder.pid);
}

async function readHolder(path: string): Promise<Holder | undefined> {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
