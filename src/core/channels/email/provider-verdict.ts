/**
 * DMARC as the mail provider judged it, read from its `Authentication-Results`.
 *
 * Only the topmost header counts: anything below it may have been written by
 * the sender. It must name the configured authserv-id before its first `;` and
 * carry `dmarc=pass` as a whole token.
 */
import { headerValues, type RawHeader } from './raw-headers.js';

/** Outcome of a DMARC check: pass, or the reason it failed. */
export type DmarcVerdict = { pass: true } | { pass: false; reason: string };

/** Options of {@link judgeProviderResults}. */
export interface ProviderVerdictOptions {
  /** The provider's authserv-id; empty skips the comparison (Microsoft 365). */
  trustedAuthservId: string;
  /** Accept tenant-internal mail that has no Authentication-Results at all. */
  microsoftInternalFallback: boolean;
}

const DMARC_PASS = /(^|[\s;])dmarc=pass($|[\s;(])/i;

/** Judges the headers of one message. */
export function judgeProviderResults(headers: readonly RawHeader[], options: ProviderVerdictOptions): DmarcVerdict {
  const results = headerValues(headers, 'authentication-results');
  const top = results[0];
  if (top === undefined) {
    if (options.microsoftInternalFallback) {
      const authAs = headerValues(headers, 'x-ms-exchange-organization-authas')[0];
      if (authAs !== undefined && authAs.trim().toLowerCase() === 'internal') return { pass: true };
    }
    return { pass: false, reason: 'no Authentication-Results header' };
  }
  const semicolon = top.indexOf(';');
  if (semicolon < 0) return { pass: false, reason: `topmost Authentication-Results has no ';': ${top}` };
  const authservId = top.slice(0, semicolon).trim();
  const trusted = options.trustedAuthservId.trim();
  if (trusted !== '' && authservId.toLowerCase() !== trusted.toLowerCase()) {
    return { pass: false, reason: `topmost Authentication-Results is from '${authservId}', not the trusted '${trusted}'` };
  }
  if (!DMARC_PASS.test(top)) return { pass: false, reason: `topmost Authentication-Results has no dmarc=pass: ${top}` };
  return { pass: true };
}
