import type { HoldEndEvent, HoldEvent, HoldOutcome } from '../network/proxy-events.js';

/** A blocked request as a hold names it: the entry an allow lets through. */
export interface HeldEntry {
  method: string;
  host: string;
  /** The request path without its query string (the receipt's "path prefix"). */
  pathPrefix: string;
}

/** What {@link HoldGate.decide} did with a decision. */
export type DecideResult = 'decided' | 'unknown';

/** Seams of a {@link HoldGate}. */
export interface HoldGateOptions {
  /** Receives `hold` and `hold_end` events (the program prints them on stdout for the host). */
  emit: (event: HoldEvent | HoldEndEvent) => void;
  /** Holds at once beyond which a blocked request is refused without asking. Default {@link MAX_HOLDS}. */
  maxHolds?: number;
  setTimer?: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearTimer?: (timer: unknown) => void;
}

/** Default bound of simultaneous holds: a task cannot flood the people who are asked. */
export const MAX_HOLDS = 20;

interface Pending {
  entry: HeldEntry;
  waiters: ((outcome: HoldOutcome) => void)[];
  timer: unknown;
}

/**
 * Holds requests the allowlist blocked until the host decides, for a run
 * whose operator set `network.approval_hold_seconds`.
 *
 * Fail closed: a held request goes on only after an explicit allow for its
 * own id, given through {@link decide} (the program's stdin, which only the
 * host can write; the task's container has no path to it). Deny, the hold
 * time running out, the gate closing, or the gate being full (more than
 * `maxHolds` entries waiting) all mean the normal 403. An allow also lets
 * the same entry (method, host, path without query) through for the rest of
 * the run without asking again. Requests for an entry already waiting join
 * that hold: one question per entry.
 *
 * Nothing here delays any other request: a hold is a pending promise and a
 * timer, never a lock.
 */
export class HoldGate {
  private holdMs = 0;
  private readonly maxHolds: number;
  private readonly pending = new Map<string, Pending>();
  /** Entry key -> id of the hold waiting for it. */
  private readonly waitingFor = new Map<string, string>();
  private readonly granted = new Set<string>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: HoldGateOptions) {
    this.maxHolds = options.maxHolds ?? MAX_HOLDS;
  }

  /** Turns holding on for `ms` per request (the host sends it before the task starts); 0 turns it off. */
  enable(ms: number): void {
    if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`hold time ${String(ms)} ms is not a whole number of ms >= 0`);
    this.holdMs = ms;
  }

  /** Whether an allow earlier in this run covers the entry. */
  isGranted(entry: HeldEntry): boolean {
    return this.granted.has(keyOf(entry));
  }

  /**
   * Holds a blocked request until a decision or the hold time: resolves
   * `allowed` only after an explicit allow of the id this hold announced.
   * Returns undefined when nothing may be held (holding is off, the gate is
   * full or closed): the request gets its 403 at once.
   */
  hold(entry: HeldEntry): Promise<HoldOutcome> | undefined {
    if (this.holdMs === 0 || this.closed) return undefined;
    const key = keyOf(entry);
    const joined = this.waitingFor.get(key);
    if (joined !== undefined) {
      const pending = this.pending.get(joined) as Pending;
      return new Promise((resolve) => pending.waiters.push(resolve));
    }
    if (this.pending.size >= this.maxHolds) return undefined;
    const id = `h${this.nextId++}`;
    const setTimer = this.options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
    const timer = setTimer(() => this.end(id, 'expired'), this.holdMs);
    // A hold must not keep a stopping proxy alive.
    timer.unref?.();
    const pending: Pending = { entry: { ...entry }, waiters: [], timer };
    const outcome = new Promise<HoldOutcome>((resolve) => pending.waiters.push(resolve));
    this.pending.set(id, pending);
    this.waitingFor.set(key, id);
    this.options.emit({ event: 'hold', id, method: entry.method, host: entry.host, path: entry.pathPrefix, expires_in_ms: this.holdMs });
    return outcome;
  }

  /**
   * Applies the host's decision on hold `id`. An id that is not waiting (never
   * announced, already decided, expired) changes nothing: `unknown`.
   */
  decide(id: string, allow: boolean): DecideResult {
    if (!this.pending.has(id)) return 'unknown';
    this.end(id, allow ? 'allowed' : 'denied');
    return 'decided';
  }

  /** Ids waiting for a decision, oldest first. */
  waiting(): string[] {
    return [...this.pending.keys()];
  }

  /** Ends every hold as `closed` (refused) and holds nothing more: the proxy is stopping. */
  close(): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.end(id, 'closed');
  }

  private end(id: string, outcome: HoldOutcome): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    const key = keyOf(pending.entry);
    this.waitingFor.delete(key);
    (this.options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as NodeJS.Timeout)))(pending.timer);
    if (outcome === 'allowed') this.granted.add(key);
    this.options.emit({ event: 'hold_end', id, outcome });
    for (const resolve of pending.waiters) resolve(outcome);
  }
}

/** The request path without its query string: what a hold and its allow cover. */
export function pathPrefixOf(path: string): string {
  const query = path.indexOf('?');
  return query < 0 ? path : path.slice(0, query);
}

function keyOf(entry: HeldEntry): string {
  return `${entry.method.toUpperCase()} ${entry.host.toLowerCase()} ${entry.pathPrefix}`;
}
