import { findApprovalProblem } from '../../sandbox/index.js';
import type { ApprovalInEffect, BlockedEntry } from '../receipt/receipt.js';
import { approvalsInEffect, readApprovals, writeApprovals } from './approval-store.js';
import { parseAllowCommand } from './parse-allow.js';

/** `network.approvals` and `network.approval_ttl` of a repo, resolved. */
export interface ApprovalSettings {
  /** `off`: `allow N` is not read, replies do not offer it and no approval reaches the proxy. */
  mode: 'off' | 'exact';
  /** How long an approval lasts, ms. */
  ttlMs: number;
}

/** An authenticated user message, as far as approvals go: who sent it and its new text (quotes removed). */
export interface ApprovalRequest {
  sender: string;
  text: string;
}

/** What the `allow` commands of a batch did. */
export interface GrantOutcome {
  /** True when some message held an `allow` command. */
  asked: boolean;
  /** Entries approved, with the number the user gave. */
  approved: { number: number; approval: ApprovalInEffect }[];
  /** Numbers with no entry in the last run's blocked list: nothing was approved for them. */
  outOfRange: number[];
  /** Entries that cannot be approved (a CONNECT, a malformed host), with why. */
  refused: { number: number; entry: BlockedEntry; reason: string }[];
  /** Length of the list the numbers referred to. */
  listLength: number;
}

const NOTHING: GrantOutcome = { asked: false, approved: [], outOfRange: [], refused: [], listLength: 0 };

/**
 * Reads `allow N` in each message and approves the N-th entry of the
 * conversation's last blocked list, for `ttlMs` from `now`, in the
 * conversation's own approvals file (never the repository). The messages
 * must be authenticated user messages of this conversation: numbers can only
 * reach this conversation's list. An entry approved again is renewed.
 */
export async function grantApprovals(
  conversationDir: string,
  messages: readonly ApprovalRequest[],
  settings: ApprovalSettings,
  now: Date,
): Promise<GrantOutcome> {
  if (settings.mode === 'off') return NOTHING;
  const asks = messages.flatMap((m) => {
    const numbers = parseAllowCommand(m.text);
    return numbers === undefined ? [] : [{ sender: m.sender, numbers }];
  });
  if (asks.length === 0) return NOTHING;
  const state = await readApprovals(conversationDir);
  const list = state.lastBlocked;
  const outcome: GrantOutcome = { asked: true, approved: [], outOfRange: [], refused: [], listLength: list.length };
  let approvals = approvalsInEffect(state, now);
  const expiresAt = new Date(now.getTime() + settings.ttlMs).toISOString();
  for (const { sender, numbers } of asks) {
    for (const number of numbers) {
      const entry = number >= 1 ? list[number - 1] : undefined;
      if (entry === undefined) {
        if (!outcome.outOfRange.includes(number)) outcome.outOfRange.push(number);
        continue;
      }
      const approval: ApprovalInEffect = { method: entry.method.toUpperCase(), host: entry.host.toLowerCase(), pathPrefix: entry.pathPrefix, approvedBy: sender, expiresAt };
      const problem = findApprovalProblem({ method: approval.method, host: approval.host, path_prefix: approval.pathPrefix, approved_by: sender, expires_at: expiresAt });
      if (problem !== undefined) {
        outcome.refused.push({ number, entry, reason: `${problem.key.replace('_', ' ')} ${problem.message}` });
        continue;
      }
      approvals = [...approvals.filter((a) => !sameEntry(a, approval)), approval];
      outcome.approved = [...outcome.approved.filter((a) => !sameEntry(a.approval, approval)), { number, approval }];
    }
  }
  if (outcome.approved.length > 0) await writeApprovals(conversationDir, { ...state, approvals });
  return outcome;
}

/** Records the blocked list of the conversation's run that just ended: what `allow N` refers to from now on. */
export async function recordLastBlocked(conversationDir: string, blocked: readonly BlockedEntry[], now: Date): Promise<void> {
  const state = await readApprovals(conversationDir);
  await writeApprovals(conversationDir, { lastBlocked: blocked.map((b) => ({ ...b })), approvals: approvalsInEffect(state, now) });
}

function sameEntry(a: ApprovalInEffect, b: ApprovalInEffect): boolean {
  return a.method === b.method && a.host === b.host && a.pathPrefix === b.pathPrefix;
}
