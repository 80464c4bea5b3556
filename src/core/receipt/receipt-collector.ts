import type { ExecutionResult, NetworkLogEvent } from '../../sandbox/index.js';
import type { RunEvent } from '../pipeline/index.js';
import type { ApprovalInEffect, BlockedEntry, HostTraffic, Receipt, ReceiptUsage } from './receipt.js';
import { crossCheckUsage } from './usage-cross-check.js';

/** What a receipt needs besides the run's events. */
export interface ReceiptFacts {
  /** Claude Code's result, for the cross-check; undefined when the run produced none (a command run, a failure before Claude started). */
  result: ExecutionResult | undefined;
  /** The conversation-scoped approvals the run's allowlist carried. */
  approvals: readonly ApprovalInEffect[];
  /** Wall-clock duration of the run, ms. Default: the collector's clock since it was made. */
  durationMs?: number;
}

/** Options of a {@link ReceiptCollector}. */
export interface ReceiptCollectorOptions {
  /** Milliseconds; injected by tests. Default: `Date.now`. Read when the collector is made and when a receipt is asked for without a duration. */
  clock?: () => number;
}

/**
 * Tallies a run's events into a {@link Receipt} as they stream past, so a
 * caller keeps counts rather than every event. No I/O: make it when the run
 * starts, feed it with {@link observe}, then call {@link receipt} once the
 * run ended (the duration is measured in between unless given).
 *
 * Only the proxy's structured records count (an ALLOWED or BLOCKED line's
 * `access`, a USAGE line's `usage`): they are what `network-sandbox.log`
 * holds, one per line, so the receipt and the log agree line for line.
 */
export class ReceiptCollector {
  private readonly hosts = new Map<string, HostTraffic>();
  private readonly blocked = new Map<string, BlockedEntry>();
  private readonly credentials = new Set<string>();
  private readonly usage: UsageTotals = { calls: 0, inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0 };
  private readonly clock: () => number;
  private readonly startedAt: number;

  constructor(options: ReceiptCollectorOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.startedAt = this.clock();
  }

  /** Takes one run event; everything but the proxy's access and usage records is ignored. */
  observe(event: RunEvent): void {
    if (event.type !== 'network') return;
    if (event.event.access !== undefined) this.access(event.event.access);
    if (event.event.usage !== undefined) this.addUsage(event.event.usage);
  }

  /** The receipt of everything observed so far. Does not reset the tallies. */
  receipt(facts: ReceiptFacts): Receipt {
    const { calls, inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens, costUsd } = this.usage;
    const counted = { calls, inputTokens, outputTokens, cacheWriteTokens, cacheReadTokens, costUsd: costUsd === null ? null : roundUsd(costUsd) };
    // A run whose proxy reported nothing at all ran without the network sandbox (or before it): nothing to check against.
    const observed = this.hosts.size > 0 || calls > 0;
    const check = crossCheckUsage(counted, facts.result);
    const mismatch = observed ? check.mismatch : undefined;
    const usage: ReceiptUsage = { ...counted, claudeCostUsd: check.claudeCostUsd, ...(mismatch === undefined ? {} : { mismatch }) };
    return {
      hosts: [...this.hosts.values()].map((h) => ({ ...h })),
      blocked: [...this.blocked.values()].map((b) => ({ ...b })),
      credentials: [...this.credentials],
      approvals: facts.approvals.map((a) => ({ ...a })),
      usage,
      durationMs: Math.max(0, Math.round(facts.durationMs ?? this.clock() - this.startedAt)),
    };
  }

  private access(record: AccessRecord): void {
    let host = this.hosts.get(record.host);
    if (host === undefined) {
      host = { host: record.host, allowed: 0, blocked: 0, bytesUp: 0, bytesDown: 0 };
      this.hosts.set(record.host, host);
    }
    if (record.allowed) host.allowed++;
    else host.blocked++;
    host.bytesUp += record.bytes_up;
    host.bytesDown += record.bytes_down;
    for (const name of record.credentials) this.credentials.add(name);
    if (record.allowed) return;
    const pathPrefix = pathWithoutQuery(record.path);
    // NUL cannot occur in a method, host or request target, so the key is unambiguous.
    const key = `${record.method}\0${record.host}\0${pathPrefix}`;
    const entry = this.blocked.get(key);
    if (entry === undefined) this.blocked.set(key, { method: record.method, host: record.host, pathPrefix, count: 1 });
    else entry.count++;
  }

  private addUsage(record: UsageRecord): void {
    const u = this.usage;
    u.calls++;
    u.inputTokens += record.input_tokens;
    u.outputTokens += record.output_tokens;
    u.cacheWriteTokens += record.cache_creation_input_tokens;
    u.cacheReadTokens += record.cache_read_input_tokens;
    // One unpriced response makes the total unknown: a partial sum would understate the cost.
    u.costUsd = u.costUsd === null || record.cost_usd === null ? null : u.costUsd + record.cost_usd;
  }
}

/** Builds the receipt of a finished run from all its events at once. */
export function collectReceipt(events: Iterable<RunEvent>, facts: ReceiptFacts & { durationMs: number }): Receipt {
  const collector = new ReceiptCollector();
  for (const event of events) collector.observe(event);
  return collector.receipt(facts);
}

type AccessRecord = NonNullable<NetworkLogEvent['access']>;
type UsageRecord = NonNullable<NetworkLogEvent['usage']>;

interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number | null;
}

/**
 * The request target without its query string (and without a fragment,
 * which a client should not send but might). A CONNECT target or an
 * absolute-form target is kept as it is, apart from the query.
 */
export function pathWithoutQuery(path: string): string {
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

/** Sums of floating-point prices drift in the last digits; a millionth of a dollar is far below any price step. */
function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
