import type { Budgets } from '../config/index.js';
import type { BudgetSettings } from './budget-caps.js';
import { byteSize } from './byte-size.js';
import { BudgetError } from './error.js';

/**
 * The caps of `repos.<id>.budgets` as amounts. The schema checked their form;
 * a size too large to count in bytes is refused rather than ignored.
 */
export function budgetSettingsOf(budgets: Budgets, keyPrefix: string): BudgetSettings {
  const cost = budgets.cost_usd ?? {};
  const settings: BudgetSettings = {
    costUsd: {
      ...(cost.run === undefined ? {} : { run: cost.run }),
      ...(cost.conversation === undefined ? {} : { conversation: cost.conversation }),
      ...(cost.day === undefined ? {} : { day: cost.day }),
    },
  };
  if (budgets.egress_bytes !== undefined) {
    const bytes = byteSize(budgets.egress_bytes);
    if (bytes === undefined) {
      throw new BudgetError('BUDGET_SIZE_INVALID', `${keyPrefix}.egress_bytes is ${JSON.stringify(budgets.egress_bytes)}, which is not a size in bytes that can be counted.`, {
        hint: 'Give a whole number of bytes or a size like "500m" or "2g" (k, m and g are 1024-based), at most 8 PiB.',
      });
    }
    settings.egressBytes = bytes;
  }
  return settings;
}
