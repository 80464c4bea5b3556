import type { ApprovalInEffect, BlockedEntry } from '../receipt/receipt.js';
import type { GrantOutcome } from './grant-approvals.js';

/** `GET pkgs.test/simple/x`: one entry as the user sees it (code-quoted, so Markdown leaves it alone). */
export function entryText(entry: Pick<BlockedEntry, 'method' | 'host' | 'pathPrefix'>): string {
  const target = `${entry.method} ${entry.host}${entry.pathPrefix.startsWith('/') ? '' : ' '}${entry.pathPrefix}`;
  return `\`${target.replace(/`/g, "'")}\``;
}

/** `2026-12-07 03:00 UTC`. */
function untilText(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What a message's `allow` commands did, said at the top of the reply; empty when it had none. */
export function grantText(outcome: GrantOutcome): string {
  if (!outcome.asked) return '';
  const parts: string[] = [];
  if (outcome.approved.length > 0) {
    const lines = outcome.approved.map(({ number, approval }) => `${number}. ${entryText(approval)} until ${untilText(approval.expiresAt)}`);
    parts.push(`**Approved for this conversation** (this run on):\n\n${lines.join('\n')}`);
  }
  if (outcome.outOfRange.length > 0) {
    const which = outcome.outOfRange.join(', ');
    const range = outcome.listLength === 0 ? 'the last run had no blocked requests' : `the last run's blocked list has ${outcome.listLength === 1 ? 'only 1 entry' : `entries 1 to ${outcome.listLength}`}`;
    parts.push(`Not approved: ${which} (${range}).`);
  }
  for (const { number, entry, reason } of outcome.refused) parts.push(`Not approved: ${number}. ${entryText(entry)} cannot be approved (${reason}).`);
  for (const entry of outcome.notBlocked) {
    parts.push(`Not approved: ${entry.number}. ${entryText(entry)} (the last run was not blocked on it; a newer run replaced the list it came from).`);
  }
  return parts.join('\n\n');
}

/** `GET pkgs.test/simple/x until 2026-12-07 03:00 UTC, approved by ada@example.com`, for the dashboard and logs. */
export function approvalText(approval: ApprovalInEffect): string {
  return `${approval.method} ${approval.host}${approval.pathPrefix} until ${untilText(approval.expiresAt)}, approved by ${approval.approvedBy}`;
}
