import { findApprovalProblem } from '../../sandbox/index.js';
import type { BlockedEntry } from '../receipt/receipt.js';
import type { ApprovalSettings, ExactEntry } from './grant-approvals.js';

/**
 * The entries of a run's blocked list that `allow N` could approve, with
 * their numbers in that list (the receipt's): none when approvals are off,
 * and never one the proxy would refuse as an approval (a CONNECT, a host
 * that is not a plain name), so a reply never offers what cannot be granted.
 */
export function approvableEntries(blocked: readonly BlockedEntry[], settings: ApprovalSettings): ExactEntry[] {
  if (settings.mode === 'off') return [];
  return blocked.flatMap((entry, index) => {
    const method = entry.method.toUpperCase();
    const host = entry.host.toLowerCase();
    const problem = findApprovalProblem({ method, host, path_prefix: entry.pathPrefix, approved_by: 'check', expires_at: new Date(0).toISOString() });
    return problem === undefined ? [{ number: index + 1, method: entry.method, host: entry.host, pathPrefix: entry.pathPrefix }] : [];
  });
}
