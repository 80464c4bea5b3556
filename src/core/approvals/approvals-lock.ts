import { resolve } from 'node:path';
import { Mutex } from '../conversation/index.js';

/** One lock per conversation directory, dropped once nobody holds or waits for it. */
const locks = new Map<string, { mutex: Mutex; users: number }>();

/**
 * Runs `work` alone among the changes of this conversation's approvals in
 * this process: a grant at a run's start, the blocked list recorded at its
 * end and a revocation from the dashboard each read the file and write it
 * back, and one must not write back what another just removed.
 */
export async function withApprovalsLock<T>(conversationDir: string, work: () => Promise<T>): Promise<T> {
  const key = resolve(conversationDir);
  let lock = locks.get(key);
  if (lock === undefined) {
    lock = { mutex: new Mutex(), users: 0 };
    locks.set(key, lock);
  }
  lock.users += 1;
  try {
    return await lock.mutex.run(work);
  } finally {
    lock.users -= 1;
    if (lock.users === 0) locks.delete(key);
  }
}
