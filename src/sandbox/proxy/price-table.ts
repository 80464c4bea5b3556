import { ProxyError } from './proxy-error.js';

/** USD per million tokens of each kind. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cache writes (`cache_creation_input_tokens`). */
  cacheWrite: number;
  /** Cache reads (`cache_read_input_tokens`). */
  cacheRead: number;
}

/** Model id prefix (a family, e.g. `claude-sonnet-4`) -> its price. The longest matching prefix wins. */
export type PriceTable = ReadonlyMap<string, ModelPrice>;

/** The shipped prices of current Claude models, USD per million tokens (Anthropic's list prices). */
export const DEFAULT_PRICES: PriceTable = new Map([
  ['claude-opus-4', { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  ['claude-sonnet-4', { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 }],
  ['claude-haiku-4', { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 }],
]);

/** Token counts of one response, as the Messages API names them. */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** The price of `model` (longest family prefix), or undefined when the table has none: a cost is never guessed. */
export function priceFor(model: string, table: PriceTable): ModelPrice | undefined {
  let best: [string, ModelPrice] | undefined;
  for (const entry of table) {
    if (model.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1];
}

/** USD for `tokens` at `price`. */
export function costOf(tokens: TokenCounts, price: ModelPrice): number {
  return (tokens.input_tokens * price.input + tokens.output_tokens * price.output
    + tokens.cache_creation_input_tokens * price.cacheWrite + tokens.cache_read_input_tokens * price.cacheRead) / 1_000_000;
}

/**
 * What a response counts against a cost budget when its model has no price:
 * the dearest price of each kind in the table, so an unknown model (a new
 * family, a typo in a price override) can never spend past a budget unseen.
 */
export function budgetCostOf(tokens: TokenCounts, table: PriceTable): number {
  const dearest: ModelPrice = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 };
  for (const price of table.values()) {
    dearest.input = Math.max(dearest.input, price.input);
    dearest.output = Math.max(dearest.output, price.output);
    dearest.cacheWrite = Math.max(dearest.cacheWrite, price.cacheWrite);
    dearest.cacheRead = Math.max(dearest.cacheRead, price.cacheRead);
  }
  return costOf(tokens, dearest);
}

const PRICE_KEYS = { input: 'input', output: 'output', cache_write: 'cacheWrite', cache_read: 'cacheRead' } as const;

/**
 * The shipped table with the task config's `prices` laid over it:
 * `{"claude-sonnet-4": {"input": 3, "output": 15, "cache_write": 3.75, "cache_read": 0.3}}`
 * (every kind required, USD per million tokens, >= 0). An entry replaces the
 * shipped one of the same prefix, or adds a model family.
 * @throws ProxyError `PROXY_CONFIG_INVALID` naming the bad entry
 */
export function parsePrices(value: unknown, source: string): PriceTable {
  const table = new Map(DEFAULT_PRICES);
  if (value === undefined || value === null) return table;
  const fail = (key: string, problem: string): never => {
    throw new ProxyError('PROXY_CONFIG_INVALID', `${source}: prices${key} ${problem}.`, {
      hint: 'prices maps a model id prefix (e.g. "claude-sonnet-4") to {"input", "output", "cache_write", "cache_read"} in USD per million tokens.',
    });
  };
  if (typeof value !== 'object' || Array.isArray(value)) fail('', `must be an object, got ${JSON.stringify(value)}`);
  for (const [prefix, entry] of Object.entries(value as Record<string, unknown>)) {
    if (prefix === '') fail('', 'has an empty model prefix');
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(`.${prefix}`, `must be an object, got ${JSON.stringify(entry)}`);
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) if (!(key in PRICE_KEYS)) fail(`.${prefix}.${key}`, `is not a known key (known: ${Object.keys(PRICE_KEYS).join(', ')})`);
    const price: Partial<Record<keyof ModelPrice, number>> = {};
    for (const [key, field] of Object.entries(PRICE_KEYS)) {
      const v = record[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`.${prefix}.${key}`, `must be a number >= 0 (USD per million tokens), got ${JSON.stringify(v)}`);
      price[field] = v as number;
    }
    table.set(prefix, price as ModelPrice);
  }
  return table;
}
