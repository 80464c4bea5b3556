import type { NetworkLogEvent } from '../../sandbox/index.js';

/**
 * What one run spent as the proxy counted it against cost budgets: the sum of
 * its USAGE records' `counted_usd` (the priced cost, or the dearest price for
 * a model without one). Fed every network event of the run.
 */
export class RunSpend {
  private total = 0;

  /** Counts a USAGE event; ignores every other. */
  observe(event: NetworkLogEvent): void {
    const usage = event.usage;
    if (event.kind !== 'USAGE' || usage === undefined) return;
    this.total += usage.counted_usd ?? usage.cost_usd ?? 0;
  }

  /** USD counted so far. */
  get usd(): number {
    return this.total;
  }
}
