/**
 * DMARC verified in-process (`email.verify: local`): DKIM signatures checked
 * and aligned with the `From` domain by mailauth, against the given resolver.
 * Its dmarc result then goes through the same judgement as a provider's.
 */
import { authenticate } from 'mailauth';
import type { AuthResult } from './authentication-results.js';
import { judgeDmarcResults, type DmarcVerdict } from './dmarc-judgement.js';

/** A DNS lookup as mailauth calls it: TXT answers come back as arrays of strings. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

/**
 * Verifies `raw`, whose From address is in `fromDomain`. Without the
 * connecting IP, SPF cannot be judged, so DMARC can only pass through an
 * aligned, valid DKIM signature.
 */
export async function verifyLocally(raw: Buffer, fromDomain: string, resolver?: DnsResolver): Promise<DmarcVerdict> {
  const result = await authenticate(raw, {
    ...(resolver === undefined ? {} : { resolver }),
    disableArc: true,
    disableBimi: true,
    mta: 'airut.invalid',
  });
  const dmarc = result.dmarc;
  if (dmarc === false) return { pass: false, reason: 'local DMARC check found no usable From domain' };
  const status = dmarc.status;
  // mailauth's header.from names the organisational domain; header.d is the From domain it evaluated.
  const header: Record<string, unknown> = status.header ?? {};
  const evaluated = typeof header['d'] === 'string' ? header['d'] : typeof header['from'] === 'string' ? header['from'] : undefined;
  const entry: AuthResult = {
    method: 'dmarc',
    methodVersion: undefined,
    result: status.result,
    reason: undefined,
    properties: evaluated === undefined ? [] : [{ ptype: 'header', property: 'from', value: evaluated }],
  };
  const verdict = judgeDmarcResults([entry], fromDomain, 'the local DMARC check');
  if (verdict.pass) return verdict;
  const dkim = result.dkim.results.map((r) => `${r.signingDomain ?? '?'}=${r.status.result}`).join(', ') || 'no signature';
  return { pass: false, reason: `${verdict.reason} (dkim: ${dkim})` };
}
