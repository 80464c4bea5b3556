const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const SIZE = /^([1-9][0-9]*)([kmg]?)$/i;

/**
 * Bytes of `budgets.egress_bytes`: a whole number of bytes, or a size like
 * `500m` (k, m and g are 1024-based, as for `resource_limits.memory`).
 * The schema has checked the form; undefined for anything else.
 */
export function byteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  const match = SIZE.exec(value.trim());
  if (match === null) return undefined;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
