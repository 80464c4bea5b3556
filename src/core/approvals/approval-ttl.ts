import { ApprovalsError } from './error.js';

/** `network.approval_ttl` when the config does not set it. */
export const DEFAULT_APPROVAL_TTL = '24h';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration such as `90m`, `24h` or `7d` (whole number, unit s, m, h or d)
 * in milliseconds. The schema refuses other forms at load; this throws for
 * callers that did not go through it.
 * @throws ApprovalsError `APPROVAL_TTL_INVALID` quoting the value and its source
 */
export function parseApprovalTtl(value: string, source = 'network.approval_ttl'): number {
  const match = /^([1-9][0-9]{0,6})([smhd])$/.exec(value.trim());
  if (match === null) {
    throw new ApprovalsError('APPROVAL_TTL_INVALID', `${source}: ${JSON.stringify(value)} is not a duration`, {
      hint: 'Write a whole number and a unit: s, m, h or d, e.g. "24h" or "7d".',
    });
  }
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
