/**
 * A bounded memory of event keys, for Slack's double deliveries (a mention
 * arrives both as `app_mention` and as `message`; retries repeat events).
 */
export class RecentEvents {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 256) {}

  /** True the first time `key` is seen (within the last `capacity` keys). */
  firstTime(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
