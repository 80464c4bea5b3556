/**
 * An in-process exclusive lock: callers run one after another in the order
 * they asked. The gateway is the only process that touches its state
 * directory, so a process-local lock is enough.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` once every earlier holder finished, whether it succeeded or not. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    // The next holder waits for this one to end, not for it to succeed.
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}
