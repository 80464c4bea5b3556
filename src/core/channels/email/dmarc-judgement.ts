/**
 * The one rule both verification modes end in: DMARC passed for the domain of
 * the `From` address, and nothing in the same verdict says otherwise.
 *
 * A message has one From domain, so an honest verdict holds dmarc results for
 * that domain only. A result for another domain, a result without
 * `header.from`, or two results that disagree mean someone else's text got
 * into the verdict; each is refused rather than resolved.
 */
import { domainToASCII } from 'node:url';
import type { AuthResult } from './authentication-results.js';

/** Outcome of a DMARC check: pass, or the reason it failed. */
export type DmarcVerdict = { pass: true } | { pass: false; reason: string };

const ASCII_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * The IDNA (A-label), lower-case form of `domain`, so `Bücher.example` and
 * `xn--bcher-kva.example` compare equal; undefined when it is not a domain.
 */
export function normaliseDomain(domain: string): string | undefined {
  const ascii = domainToASCII(domain.trim());
  return ascii !== '' && ASCII_DOMAIN.test(ascii) ? ascii : undefined;
}

/**
 * Judges the dmarc results of one verdict (`source` names it in reasons)
 * against the From domain.
 */
export function judgeDmarcResults(results: readonly AuthResult[], fromDomain: string, source: string): DmarcVerdict {
  const wanted = normaliseDomain(fromDomain);
  if (wanted === undefined) return { pass: false, reason: `the From domain '${fromDomain}' is not a valid domain` };
  const dmarc = results.filter((r) => r.method === 'dmarc');
  if (dmarc.length === 0) return { pass: false, reason: `${source} has no dmarc result` };
  const outcomes: string[] = [];
  for (const result of dmarc) {
    const label = `dmarc=${result.result}`;
    const froms = result.properties.filter((p) => p.ptype === 'header' && p.property === 'from');
    if (froms.length === 0) return { pass: false, reason: `${label} in ${source} has no header.from, so it cannot be tied to the From domain '${wanted}'` };
    if (froms.length > 1) return { pass: false, reason: `${label} in ${source} has ${froms.length} header.from properties` };
    const named = froms[0]?.value ?? '';
    const domain = normaliseDomain(named);
    if (domain === undefined) return { pass: false, reason: `${label} in ${source} has header.from '${named}', which is not a domain` };
    if (domain !== wanted) return { pass: false, reason: `${label} in ${source} is for '${domain}', not the From domain '${wanted}'` };
    outcomes.push(result.result);
  }
  const failed = outcomes.find((o) => o !== 'pass');
  if (failed !== undefined) {
    const all = outcomes.length > 1 ? ` (results for it: ${outcomes.join(', ')})` : '';
    return { pass: false, reason: `dmarc=${failed} for ${wanted} in ${source}${all}` };
  }
  return { pass: true };
}
