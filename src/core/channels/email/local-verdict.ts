/**
 * DMARC verified in-process (`email.verify: local`): DKIM signatures checked
 * and aligned with the `From` domain by mailauth, against the given resolver.
 */
import { authenticate } from 'mailauth';
import type { DmarcVerdict } from './provider-verdict.js';

/** A DNS lookup as mailauth calls it: TXT answers come back as arrays of strings. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

/**
 * Verifies `raw` locally. Without the connecting IP, SPF cannot be judged, so
 * DMARC can only pass through an aligned, valid DKIM signature.
 */
export async function verifyLocally(raw: Buffer, resolver?: DnsResolver): Promise<DmarcVerdict> {
  const result = await authenticate(raw, {
    ...(resolver === undefined ? {} : { resolver }),
    disableArc: true,
    disableBimi: true,
    mta: 'airut.invalid',
  });
  const dmarc = result.dmarc;
  if (dmarc === false) return { pass: false, reason: 'local DMARC check found no usable From domain' };
  const outcome = dmarc.status.result;
  if (outcome === 'pass') return { pass: true };
  const dkim = result.dkim.results.map((r) => `${r.signingDomain ?? '?'}=${r.status.result}`).join(', ') || 'no signature';
  return { pass: false, reason: `local DMARC check: dmarc=${outcome} for ${dmarc.domain} (dkim: ${dkim})` };
}
