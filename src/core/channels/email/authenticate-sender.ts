/**
 * Who sent a raw message, and may they use this repo: exactly one strict
 * `From`, DMARC pass for its domain (as the provider recorded it, or verified
 * locally), then the allowlist.
 */
import { matchAuthorizedSender } from './authorized-senders.js';
import { verifyLocally, type DnsResolver } from './local-verdict.js';
import type { DmarcVerdict } from './dmarc-judgement.js';
import { judgeProviderResults } from './provider-verdict.js';
import { headerValues, readRawHeaders } from './raw-headers.js';
import { parseFromAddress } from './sender-address.js';

/** The sender rules of one repo. */
export interface SenderPolicy {
  verify: 'provider' | 'local';
  trustedAuthservId: string;
  microsoftInternalFallback: boolean;
  authorizedSenders: readonly string[];
  /** DNS used by `verify: local`; the system resolver when absent. */
  resolver?: DnsResolver;
}

/**
 * The verdict on a sender. `auth_failed`: the message may be forged;
 * `unauthorized`: authentic, but not on the allowlist.
 */
export type SenderVerdict =
  | { accepted: true; address: string; from: string }
  | { accepted: false; kind: 'auth_failed' | 'unauthorized'; reason: string; address?: string };

/** Applies `policy` to `raw`. Never throws for a bad message; DNS failures in local mode count as a failed check. */
export async function authenticateSender(raw: Buffer, policy: SenderPolicy): Promise<SenderVerdict> {
  const headers = readRawHeaders(raw);
  const froms = headerValues(headers, 'from');
  if (froms.length !== 1) {
    return { accepted: false, kind: 'auth_failed', reason: `expected exactly one From header, found ${froms.length}` };
  }
  const from = froms[0] ?? '';
  const parsed = parseFromAddress(from);
  if (!parsed.ok) return { accepted: false, kind: 'auth_failed', reason: parsed.reason };

  let verdict: DmarcVerdict;
  if (policy.verify === 'local') {
    verdict = await verifyLocally(raw, domainOf(parsed.address), policy.resolver).catch((err: unknown) => ({
      pass: false as const,
      reason: `local DMARC check failed: ${err instanceof Error ? err.message : String(err)}`,
    }));
  } else {
    verdict = judgeProviderResults(headers, domainOf(parsed.address), {
      trustedAuthservId: policy.trustedAuthservId,
      microsoftInternalFallback: policy.microsoftInternalFallback,
    });
  }
  if (!verdict.pass) {
    return { accepted: false, kind: 'auth_failed', reason: `DMARC verification failed: ${verdict.reason}`, address: parsed.address };
  }
  if (matchAuthorizedSender(parsed.address, policy.authorizedSenders) === undefined) {
    return { accepted: false, kind: 'unauthorized', reason: `sender not authorized: ${parsed.address}`, address: parsed.address };
  }
  return { accepted: true, address: parsed.address, from };
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
