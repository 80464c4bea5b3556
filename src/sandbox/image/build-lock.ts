import { open, readFile, rm, rename } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ImageBuildError } from './error.js';

/** Options of {@link BuildLock}. */
export interface BuildLockOptions {
  /** The lock file; every process using the same path excludes the others. */
  path: string;
  /** Tells whether a process id is alive, to take over locks left by a crash. */
  isAlive: (pid: number) => boolean;
  /** This process's id, written into the lock file. */
  pid?: number;
  /** How often a waiting process retries. */
  pollMs?: number;
}

/**
 * Serialises image checks and builds: in-process callers queue on a promise
 * chain, other processes are excluded by a lock file created with O_EXCL
 * that holds the owner's pid. A lock file whose owner died is taken over.
 */
export class BuildLock {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly options: Required<BuildLockOptions>;

  constructor(options: BuildLockOptions) {
    this.options = { pid: process.pid, pollMs: 50, ...options };
  }

  /** Runs `fn` while holding the lock; the lock is released whatever `fn` does. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => { done = resolve; });
    this.tail = previous.then(() => mine);
    await previous;
    try {
      await this.acquireFile();
      try {
        return await fn();
      } finally {
        await rm(this.options.path, { force: true });
      }
    } finally {
      done();
    }
  }

  private async acquireFile(): Promise<void> {
    const { path, pid, pollMs, isAlive } = this.options;
    for (;;) {
      try {
        const handle = await open(path, 'wx', 0o644);
        try {
          await handle.writeFile(String(pid));
        } finally {
          await handle.close();
        }
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new ImageBuildError('IMAGE_LOCK_FAILED', `cannot create the image build lock ${path}: ${(error as Error).message}`, {
            hint: 'The lock lives in the sandbox state directory; make it writable.',
            cause: error,
          });
        }
      }
      const owner = Number(await readFile(path, 'utf8').catch(() => ''));
      // An empty file is a lock being written right now: wait for it.
      if (Number.isInteger(owner) && owner > 0 && owner !== pid && !isAlive(owner)) {
        // rename is atomic: of several waiters, one moves the stale file away.
        // (A waiter that read the stale pid just before another took the lock
        // over could still move the new lock away; that needs a crash plus a
        // race within microseconds, and costs one duplicate build at worst.)
        const aside = `${path}.stale-${pid}`;
        if (await rename(path, aside).then(() => true, () => false)) await rm(aside, { force: true });
        continue;
      }
      await delay(pollMs);
    }
  }
}
