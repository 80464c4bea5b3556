/** AWS refuses signatures more than 15 minutes off; warning at 5 leaves time to notice. */
const SKEW_WARNING_MS = 5 * 60 * 1000;

/** `YYYYMMDDTHHMMSSZ` as a Date; undefined for anything else. */
function parseAmzDate(amzDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  return m === null ? undefined : new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/**
 * The WARNING line (NLG-04) when the container's clock, as its signature's
 * `x-amz-date` says, is more than 5 minutes from the proxy's; else
 * undefined. The timestamp is never changed: it is part of what was signed,
 * and the container's clock is the thing to fix.
 *
 * @param amzDate the signature's `x-amz-date` (`YYYYMMDDTHHMMSSZ`; anything else gives no warning)
 */
export function clockSkewWarning(amzDate: string, now: Date): string | undefined {
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return undefined;
  const drift = signedAt.getTime() - now.getTime();
  if (Math.abs(drift) <= SKEW_WARNING_MS) return undefined;
  const proxyTime = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const minutes = Math.round(drift / 60_000);
  return `WARNING: Container clock skew detected: x-amz-date=${amzDate}, proxy-time=${proxyTime} (drift=${minutes > 0 ? '+' : ''}${minutes}m). Upstream rejection likely.`;
}
