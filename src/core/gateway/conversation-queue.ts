import type { ConcurrencyLimit } from './concurrency-limit.js';

/** How {@link ConversationQueue.submit} placed an item. */
export type Placement = 'new-batch' | 'merged';

interface KeyState<T> {
  /** Items waiting for the next run, in arrival order. */
  pending: T[];
  running: boolean;
}

/**
 * Serialises work per conversation and merges what arrives meanwhile.
 *
 * Per key at most one batch runs; items submitted while it runs (or while its
 * key waits for a slot) collect in one pending batch, which runs next as a
 * whole. Every run holds a slot of the shared {@link ConcurrencyLimit}. All
 * bookkeeping happens synchronously between awaits, so an item can never
 * land in a batch that was already taken, nor sit pending with nobody to run it.
 */
export class ConversationQueue<T> {
  private readonly keys = new Map<string, KeyState<T>>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly limit: ConcurrencyLimit,
    private readonly runBatch: (key: string, batch: T[]) => Promise<void>,
    private readonly onError: (key: string, error: unknown) => void,
  ) {}

  /** Queues `item` for `key`. Returns undefined after {@link close}: the item was not taken. */
  submit(key: string, item: T): Placement | undefined {
    if (this.closed) return undefined;
    const state = this.keys.get(key);
    if (state === undefined) {
      const fresh: KeyState<T> = { pending: [item], running: false };
      this.keys.set(key, fresh);
      void this.drain(key, fresh);
      return 'new-batch';
    }
    state.pending.push(item);
    return state.pending.length === 1 ? 'new-batch' : 'merged';
  }

  /** True while `key` has a batch running or waiting. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** Keys with a batch running now. */
  runningKeys(): string[] {
    return [...this.keys].filter(([, s]) => s.running).map(([k]) => k);
  }

  /**
   * Takes the waiting batch of `key` out of the queue and returns its items
   * (empty when none waits). A batch already running is not touched.
   */
  cancel(key: string): T[] {
    return this.keys.get(key)?.pending.splice(0) ?? [];
  }

  /**
   * Stops starting batches. Running ones finish; waiting ones are returned
   * (their items were never worked on) and dropped.
   */
  close(): T[] {
    this.closed = true;
    const dropped: T[] = [];
    for (const state of this.keys.values()) dropped.push(...state.pending.splice(0));
    return dropped;
  }

  /** Resolves once no batch runs or waits. */
  idle(): Promise<void> {
    if (this.keys.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(key: string, state: KeyState<T>): Promise<void> {
    while (state.pending.length > 0 && !this.closed) {
      const release = await this.limit.acquire();
      if (this.closed || state.pending.length === 0) {
        release();
        break;
      }
      const batch = state.pending.splice(0);
      state.running = true;
      try {
        await this.runBatch(key, batch);
      } catch (error) {
        this.onError(key, error);
      } finally {
        state.running = false;
        release();
      }
    }
    this.keys.delete(key);
    if (this.keys.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
