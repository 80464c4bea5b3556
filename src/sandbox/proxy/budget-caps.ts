import type { ProxyBudgetCap } from '../network/proxy-config-file.js';
import { ProxyError } from './proxy-error.js';

const CAP_KEYS = new Set(['name', 'unit', 'limit', 'spent_before']);

/**
 * Validates the task file's `budgets`: `[{"name": "budgets.cost_usd.run", "unit": "usd", "limit": 2, "spent_before": 0}]`
 * (a limit and an amount spent >= 0; unit `usd` or `bytes`). Absent means no caps.
 * A cap that cannot be read fails the task's start rather than run it unlimited.
 * @throws ProxyError `PROXY_CONFIG_INVALID` naming the bad entry
 */
export function parseBudgetCaps(value: unknown, source: string): ProxyBudgetCap[] {
  if (value === undefined || value === null) return [];
  const fail = (where: string, problem: string): never => {
    throw new ProxyError('PROXY_CONFIG_INVALID', `${source}: budgets${where} ${problem}.`, {
      hint: 'budgets is a list of {"name", "unit": "usd" | "bytes", "limit", "spent_before"}; the host writes it from the budgets configuration.',
    });
  };
  if (!Array.isArray(value)) return fail('', `must be a list, got ${JSON.stringify(value)}`);
  return value.map((entry: unknown, i): ProxyBudgetCap => {
    const at = `[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(at, `must be an object, got ${JSON.stringify(entry)}`);
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!CAP_KEYS.has(key)) fail(`${at}.${key}`, `is not a known key (known: ${[...CAP_KEYS].join(', ')})`);
    if (typeof record.name !== 'string' || record.name === '') fail(`${at}.name`, `must be a non-empty string, got ${JSON.stringify(record.name)}`);
    if (record.unit !== 'usd' && record.unit !== 'bytes') fail(`${at}.unit`, `must be "usd" or "bytes", got ${JSON.stringify(record.unit)}`);
    for (const key of ['limit', 'spent_before'] as const) {
      const v = record[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${at}.${key}`, `must be a number >= 0, got ${JSON.stringify(v)}`);
    }
    return { name: record.name as string, unit: record.unit as 'usd' | 'bytes', limit: record.limit as number, spent_before: record.spent_before as number };
  });
}
