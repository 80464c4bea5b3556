/**
 * DMARC as the mail provider judged it, read from its `Authentication-Results`.
 *
 * Headers are added on top as a mail travels, so the provider's own header is
 * the topmost one carrying its authserv-id: anything below it may have been
 * written by the sender, anything above it by a relay after the provider (its
 * headers are not ours to judge and are passed over). That header is parsed
 * in full and must hold a dmarc pass for the From domain.
 *
 * With an empty trusted authserv-id (Microsoft 365, whose header has none) no
 * header can be told apart by its id, so only the topmost header of all counts.
 */
import { parseAuthenticationResults } from './authentication-results.js';
import { judgeDmarcResults, type DmarcVerdict } from './dmarc-judgement.js';
import { headerValues, type RawHeader } from './raw-headers.js';

export type { DmarcVerdict } from './dmarc-judgement.js';

/** Options of {@link judgeProviderResults}. */
export interface ProviderVerdictOptions {
  /** The provider's authserv-id; empty: the topmost header counts, whatever its id (Microsoft 365). */
  trustedAuthservId: string;
  /** Accept tenant-internal mail that has no Authentication-Results at all. */
  microsoftInternalFallback: boolean;
}

/** Judges the headers of one message whose From address is in `fromDomain`. */
export function judgeProviderResults(headers: readonly RawHeader[], fromDomain: string, options: ProviderVerdictOptions): DmarcVerdict {
  // Raw headers are read as latin1 to keep every byte; a provider writes UTF-8 (RFC 8601 with RFC 6532).
  const values = headerValues(headers, 'authentication-results').map((v) => Buffer.from(v, 'latin1').toString('utf8'));
  if (values.length === 0) {
    if (options.microsoftInternalFallback) {
      const authAs = headerValues(headers, 'x-ms-exchange-organization-authas')[0];
      if (authAs !== undefined && authAs.trim().toLowerCase() === 'internal') return { pass: true };
    }
    return { pass: false, reason: 'no Authentication-Results header' };
  }
  const trusted = options.trustedAuthservId.trim().toLowerCase();
  const seen: string[] = [];
  for (const [index, value] of values.entries()) {
    const position = `Authentication-Results #${index + 1} from the top`;
    const parsed = parseAuthenticationResults(value);
    const id = parsed.ok ? parsed.value.authservId : parsed.authservId ?? undefined;
    if (trusted === '') {
      if (!parsed.ok) return { pass: false, reason: `the topmost Authentication-Results cannot be parsed: ${parsed.reason}` };
      return judgeDmarcResults(parsed.value.results, fromDomain, 'the topmost Authentication-Results');
    }
    if (!parsed.ok && parsed.authservId === undefined) {
      // Whose header this is cannot be told; passing over it could pass over the provider's own.
      return { pass: false, reason: `${position} cannot be parsed far enough to read its authserv-id: ${parsed.reason}` };
    }
    if (id?.toLowerCase() !== trusted) {
      seen.push(id ?? '(none)');
      continue;
    }
    const source = `the Authentication-Results of '${id}'`;
    if (!parsed.ok) return { pass: false, reason: `${source} cannot be parsed: ${parsed.reason}` };
    return judgeDmarcResults(parsed.value.results, fromDomain, source);
  }
  return { pass: false, reason: `no Authentication-Results from the trusted authserv-id '${options.trustedAuthservId.trim()}' (found: ${seen.join(', ')})` };
}
