export { budgetCaps, needsLedger, type BudgetSettings } from './budget-caps.js';
export { budgetSettingsOf } from './budget-settings.js';
export { byteSize } from './byte-size.js';
export { BudgetError, type BudgetErrorCode } from './error.js';
export { RunSpend } from './run-spend.js';
export { SpendLedger, dayOf, type PriorSpend } from './spend-ledger.js';
