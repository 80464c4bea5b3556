/**
 * The host's control lines on the proxy program's stdin about holds (besides
 * `start`): before `start`, `{"hold_ms":N}` turns holding on for N ms per
 * request; after it, `{"decide":"h1","allow":true|false}` answers hold `h1`.
 */
export type HoldControl =
  | { kind: 'hold_ms'; ms: number }
  | { kind: 'decide'; id: string; allow: boolean }
  /** A line that names a hold control but is malformed: ignored (never an allow), with a warning. */
  | { kind: 'invalid'; problem: string };

/** Longest hold the host may ask for: one hour. */
export const MAX_HOLD_MS = 3_600_000;

/** Reads one stdin line; undefined when it is no hold control at all. */
export function parseHoldControl(line: string): HoldControl | undefined {
  if (!line.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not JSON: not a control line; the caller treats it as the stray line it is.
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if ('hold_ms' in record) {
    const ms = record.hold_ms;
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_HOLD_MS) {
      return { kind: 'invalid', problem: `hold_ms ${JSON.stringify(ms)} is not whole ms from 0 to ${MAX_HOLD_MS}` };
    }
    return { kind: 'hold_ms', ms };
  }
  if ('decide' in record) {
    const { decide: id, allow } = record;
    // Only a literal true allows: anything else is no decision at all.
    if (typeof id !== 'string' || typeof allow !== 'boolean') {
      return { kind: 'invalid', problem: `a decision needs "decide": hold id and "allow": true or false, got ${line.slice(0, 80)}` };
    }
    return { kind: 'decide', id, allow };
  }
  return undefined;
}
