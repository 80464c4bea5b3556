import { AirutError } from '../../sandbox/index.js';

/**
 * Codes of {@link BudgetError}:
 *
 * - `BUDGET_LEDGER_INVALID`: the repo's spend ledger cannot be read as written; the run is not started.
 * - `BUDGET_SIZE_INVALID`: `budgets.egress_bytes` is too large to count.
 */
export type BudgetErrorCode = 'BUDGET_LEDGER_INVALID' | 'BUDGET_SIZE_INVALID';

/** Budgets could not be worked out, so nothing runs (budgets fail closed). Exit code 125: Airut's own failure. */
export class BudgetError extends AirutError {
  declare readonly code: BudgetErrorCode;

  constructor(code: BudgetErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 125 });
  }
}
