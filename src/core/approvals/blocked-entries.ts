import type { NetworkLogEvent } from '../../sandbox/index.js';
import type { BlockedEntry } from '../receipt/receipt.js';

type AccessRecord = NonNullable<NetworkLogEvent['access']>;

/** The request target without its query string (or a fragment), as the receipt counts it. */
export function pathPrefixOf(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/**
 * Tallies a run's blocked requests into distinct (method, host, path
 * prefix) entries, in order of first occurrence: the list a reply numbers
 * from 1 and `allow N` refers to. The same rule as the receipt's `blocked`.
 */
export class BlockedTally {
  private readonly entries = new Map<string, BlockedEntry>();

  /** Takes one network log event; only BLOCKED access records count. */
  observe(event: NetworkLogEvent): void {
    const access: AccessRecord | undefined = event.access;
    if (access === undefined || access.allowed) return;
    const pathPrefix = pathPrefixOf(access.path);
    // NUL cannot occur in a method, host or request target, so the key is unambiguous.
    const key = `${access.method}\0${access.host}\0${pathPrefix}`;
    const entry = this.entries.get(key);
    if (entry === undefined) this.entries.set(key, { method: access.method, host: access.host, pathPrefix, count: 1 });
    else entry.count += 1;
  }

  /** The entries so far, in order of first occurrence. */
  list(): BlockedEntry[] {
    return [...this.entries.values()].map((entry) => ({ ...entry }));
  }
}
