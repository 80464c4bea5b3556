/** Capped exponential backoff: `initialMs`, doubled per failed attempt, never above `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** The default: 1 s, 2 s, 4 s ... up to 5 minutes, forever. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 300_000 };

/** Delay before reconnect attempt `attempt` (1-based). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(backoff.initialMs * 2 ** exponent, backoff.maxMs);
}
