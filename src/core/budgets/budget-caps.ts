import type { ProxyBudgetCap } from '../../sandbox/index.js';
import type { PriorSpend } from './spend-ledger.js';

/** The caps of one repo (`repos.<id>.budgets`), resolved: USD amounts and a byte count. */
export interface BudgetSettings {
  costUsd: { run?: number; conversation?: number; day?: number };
  egressBytes?: number;
}

/** True when a cap spans runs, so the ledger has to be read before a run and written after it. */
export function needsLedger(settings: BudgetSettings): boolean {
  return settings.costUsd.conversation !== undefined || settings.costUsd.day !== undefined;
}

/**
 * The caps the proxy enforces for one run: the run cap; the conversation cap
 * and the repo's day cap with what earlier runs spent against them; the
 * egress cap. Each is named by its config key (`<keyPrefix>.cost_usd.run`...),
 * which is what a refusal quotes and the reply tells the user to raise.
 * The proxy refuses on the cap with the least left, so they combine.
 */
export function budgetCaps(settings: BudgetSettings, prior: PriorSpend, keyPrefix: string): ProxyBudgetCap[] {
  const caps: ProxyBudgetCap[] = [];
  const { run, conversation, day } = settings.costUsd;
  if (run !== undefined) caps.push({ name: `${keyPrefix}.cost_usd.run`, unit: 'usd', limit: run, spent_before: 0 });
  if (conversation !== undefined) caps.push({ name: `${keyPrefix}.cost_usd.conversation`, unit: 'usd', limit: conversation, spent_before: prior.conversation });
  if (day !== undefined) caps.push({ name: `${keyPrefix}.cost_usd.day`, unit: 'usd', limit: day, spent_before: prior.day });
  if (settings.egressBytes !== undefined) caps.push({ name: `${keyPrefix}.egress_bytes`, unit: 'bytes', limit: settings.egressBytes, spent_before: 0 });
  return caps;
}
