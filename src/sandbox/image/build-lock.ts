import { setTimeout as delay } from 'node:timers/promises';
import { acquireFileLock, type FileLockOptions } from '../lock/file-lock.js';
import type { ProcessProbe } from '../runtime/orphans.js';
import { ImageBuildError } from './error.js';

/** Options of {@link BuildLock}. */
export interface BuildLockOptions {
  /** The lock file; every process using the same path excludes the others. */
  path: string;
  /** Tells whether a process id is alive, to take over locks left by a crash. */
  isAlive: ProcessProbe;
  /** Give up waiting for another process's build after this long. Default: 1 hour. */
  waitMs?: number;
}

/**
 * Serialises image checks and builds: in-process callers queue on a promise
 * chain, other processes are excluded by the shared lock file (see
 * {@link acquireFileLock}); a lock whose owner died is taken over.
 */
export class BuildLock {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly lockOptions: FileLockOptions;

  constructor(private readonly options: BuildLockOptions) {
    const waitMs = options.waitMs ?? 60 * 60_000;
    this.lockOptions = {
      clock: Date.now,
      sleep: (ms) => delay(ms),
      // The holder touches the file while it builds, so only a dead or hung holder goes stale.
      staleMs: 5 * 60_000,
      waitMs,
      isAlive: options.isAlive,
      timeoutError: (path, holder) => new ImageBuildError('IMAGE_LOCK_TIMEOUT', `waited ${Math.round(waitMs / 1000)} s for the image build lock ${path}${holder ? ` held by pid ${holder.pid} on ${holder.host}` : ''}`, {
        hint: `Another Airut process is building an image. If none is running, remove ${path}.`,
      }),
      diskError: (error, path) => new ImageBuildError('IMAGE_LOCK_FAILED', `cannot use the image build lock ${path}: ${(error as Error).message}`, {
        hint: 'The lock lives in the sandbox state directory; make it writable.',
        cause: error,
      }),
    };
  }

  /**
   * Runs `fn` while holding the lock; the lock is released whatever `fn` does.
   * When `signal` aborts while waiting, `onAbort()` is thrown and `fn` never runs.
   */
  async withLock<T>(fn: () => Promise<T>, abort?: { signal: AbortSignal; onAbort: () => Error }): Promise<T> {
    const previous = this.tail;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    // Later callers wait for `previous` too, so leaving early never lets them overlap it.
    this.tail = previous.then(() => mine);
    try {
      await (abort === undefined ? previous : Promise.race([previous, aborted(abort.signal)]));
      if (abort?.signal.aborted) throw abort.onAbort();
      const options = abort === undefined ? this.lockOptions : { ...this.lockOptions, sleep: (ms: number) => delay(ms, undefined, { signal: abort.signal }) };
      const lock = await acquireFileLock(this.options.path, options).catch((error: unknown) => {
        throw abort?.signal.aborted ? abort.onAbort() : error;
      });
      if (abort?.signal.aborted) {
        await lock.release();
        throw abort.onAbort();
      }
      try {
        return await fn();
      } finally {
        await lock.release();
      }
    } finally {
      done();
    }
  }
}

/** Settles when `signal` aborts (never rejects, so a race with it needs no handler). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
