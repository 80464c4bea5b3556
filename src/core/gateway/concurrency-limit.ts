/** Gives back a slot taken from a {@link ConcurrencyLimit}; calling it twice is harmless. */
export type ReleaseSlot = () => void;

/**
 * A counting semaphore with a first-come, first-served queue: at most `max`
 * holders at once across everything that shares it (every repo of a server).
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private max: number) {}

  /** Slots in use. */
  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Changes the limit; holders above a lowered limit finish, newcomers wait. */
  resize(max: number): void {
    this.max = max;
    this.wake();
  }

  /** Resolves with a release function once a slot is free. */
  acquire(): Promise<ReleaseSlot> {
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.active++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.active--;
          this.wake();
        });
      });
      this.wake();
    });
  }

  private wake(): void {
    while (this.active < this.max && this.waiting.length > 0) this.waiting.shift()?.();
  }
}
