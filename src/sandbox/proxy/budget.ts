import type { ProxyBudgetCap } from '../network/proxy-config-file.js';

/** A cap that refuses requests now: which one, its limit and what was spent against it (earlier runs included). */
export interface BudgetTrip {
  /** The config key (or flag) that sets the cap, e.g. `budgets.cost_usd.run`. */
  name: string;
  unit: 'usd' | 'bytes';
  limit: number;
  spent: number;
}

/**
 * Costs are sums of float products: a run that spent exactly its limit
 * (3 calls of $0.01 against $0.03) must count as having reached it.
 */
const USD_EPSILON = 1e-9;

/**
 * What one task spent through the proxy (USD from Messages API usage, body
 * bytes both ways) against the caps the host gave it. Requests already in
 * flight when a cap is reached complete; the next one is refused, so a run
 * can overshoot a cap by what its concurrent requests cost.
 */
export class TaskBudget {
  private readonly caps: readonly ProxyBudgetCap[];
  private usd = 0;
  private bytes = 0;

  constructor(caps: readonly ProxyBudgetCap[]) {
    this.caps = caps;
  }

  /** True when any cap is set (otherwise nothing is ever refused). */
  get active(): boolean {
    return this.caps.length > 0;
  }

  /** USD this task spent so far. */
  get spentUsd(): number {
    return this.usd;
  }

  /** Body bytes this task moved so far (up and down). */
  get spentBytes(): number {
    return this.bytes;
  }

  /** Counts the cost of one Messages API response. */
  addCost(usd: number): void {
    this.usd += usd;
  }

  /** Counts body bytes sent or received. */
  addBytes(count: number): void {
    this.bytes += count;
  }

  /**
   * The cap that refuses the next request, or undefined: a Messages API call
   * (`messagesCall`) is refused by any reached cap, other requests by a
   * reached byte cap only. Of several reached caps, the one furthest past its
   * limit is named (the smallest remaining amount), the first given on a tie.
   */
  refusal(messagesCall: boolean): BudgetTrip | undefined {
    let worst: { cap: ProxyBudgetCap; spent: number; remaining: number } | undefined;
    for (const cap of this.caps) {
      if (cap.unit === 'usd' && !messagesCall) continue;
      const spent = cap.spent_before + (cap.unit === 'usd' ? this.usd : this.bytes);
      const remaining = cap.limit - spent;
      const reached = cap.unit === 'usd' ? remaining <= USD_EPSILON : remaining <= 0;
      if (reached && (worst === undefined || remaining < worst.remaining)) worst = { cap, spent, remaining };
    }
    return worst === undefined ? undefined : { name: worst.cap.name, unit: worst.cap.unit, limit: worst.cap.limit, spent: worst.spent };
  }
}

/** `$0.0300` / `1048576 bytes`: how a limit or an amount spent reads in a refusal. */
export function formatAmount(unit: 'usd' | 'bytes', amount: number): string {
  return unit === 'usd' ? `$${amount.toFixed(4)}` : `${Math.round(amount)} bytes`;
}

/** The sentence a refusal carries: which budget, its limit, what was spent, and how to raise it. */
export function refusalMessage(trip: BudgetTrip): string {
  const what = trip.unit === 'usd' ? 'cost budget' : 'egress budget';
  const raise = trip.name.startsWith('-') ? `the ${trip.name} flag` : `${trip.name} in the configuration`;
  return `Airut's ${what} ${trip.name} is used up: ${formatAmount(trip.unit, trip.spent)} spent of its limit ${formatAmount(trip.unit, trip.limit)}. `
    + `The proxy refuses further ${trip.unit === 'usd' ? 'Messages API calls' : 'requests'} for this run; raise ${raise} to allow more.`;
}
