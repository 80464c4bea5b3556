import { createHash, type Hash } from 'node:crypto';

const STRENGTH: Readonly<Record<string, number>> = { sha256: 1, sha384: 2, sha512: 3 };

/** One algorithm of a subresource-integrity string and the digests it accepts. */
export interface IntegrityCheck {
  readonly algorithm: 'sha256' | 'sha384' | 'sha512';
  /** Base64 digests; matching any one of them passes. */
  readonly digests: readonly string[];
}

/**
 * Picks the strongest supported algorithm from an SRI string such as
 * `sha512-AbC...== sha1-xyz`; `undefined` when none is sha256 or better
 * (sha1 alone is not accepted as proof of anything).
 */
export function parseIntegrity(sri: string): IntegrityCheck | undefined {
  let best: { algorithm: IntegrityCheck['algorithm']; digests: string[] } | undefined;
  for (const token of sri.trim().split(/\s+/)) {
    const m = /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token);
    if (!m) continue;
    const algorithm = m[1] as IntegrityCheck['algorithm'];
    const digest = m[2] ?? '';
    if (!best || (STRENGTH[algorithm] ?? 0) > (STRENGTH[best.algorithm] ?? 0)) best = { algorithm, digests: [digest] };
    else if (best.algorithm === algorithm) best.digests.push(digest);
  }
  return best;
}

/** A running hash for `check`'s algorithm. */
export function createIntegrityHash(check: IntegrityCheck): Hash {
  return createHash(check.algorithm);
}

/** Whether a finished hash matches one of the expected digests. */
export function integrityMatches(check: IntegrityCheck, actualBase64: string): boolean {
  return check.digests.includes(actualBase64);
}
