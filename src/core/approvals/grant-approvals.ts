import { findApprovalProblem } from '../../sandbox/index.js';
import type { ApprovalInEffect, BlockedEntry } from '../receipt/receipt.js';
import { approvalsInEffect, readApprovals, writeApprovals } from './approval-store.js';
import { parseAllowCommand } from './parse-allow.js';
import { withApprovalsLock } from './approvals-lock.js';

/** `network.approvals` and `network.approval_ttl` of a repo, resolved. */
export interface ApprovalSettings {
  /** `off`: `allow N` is not read, replies do not offer it and no approval reaches the proxy. */
  mode: 'off' | 'exact';
  /** How long an approval lasts, ms. */
  ttlMs: number;
}

/** A blocked request named exactly (method, host, path), with the number a reply gave it. */
export interface ExactEntry {
  number: number;
  method: string;
  host: string;
  pathPrefix: string;
}

/** An authenticated user message, as far as approvals go: who sent it and its new text (quotes removed). */
export interface ApprovalRequest {
  sender: string;
  text: string;
  /**
   * Entries the sender approved exactly, as an earlier reply listed them (a
   * Slack button). When set, `text` is not read for `allow N`: each entry is
   * granted only when the conversation's last blocked list holds that very
   * request, at whatever number, since the list may have changed since.
   */
  entries?: readonly ExactEntry[];
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
  /** Exact entries the last run's blocked list does not hold (a newer run replaced the list they came from): nothing was approved for them. */
  notBlocked: ExactEntry[];
  /** Length of the list the numbers referred to. */
  listLength: number;
}

/** What a batch without `allow` commands did. */
export function nothingGranted(): GrantOutcome {
  return { asked: false, approved: [], outOfRange: [], refused: [], notBlocked: [], listLength: 0 };
}

/**
 * Reads `allow N` in each message and approves the N-th entry of the
 * conversation's last blocked list, for `ttlMs` from `now`, in the
 * conversation's own approvals file (never the repository). A message with
 * exact entries (a button press) approves each of them only if the last
 * blocked list holds that very request. The messages must be authenticated
 * user messages of this conversation: they can only reach this
 * conversation's list, so nothing the last run was not blocked on is ever
 * approved. An entry approved again is renewed.
 */
export async function grantApprovals(
  conversationDir: string,
  messages: readonly ApprovalRequest[],
  settings: ApprovalSettings,
  now: Date,
): Promise<GrantOutcome> {
  if (settings.mode === 'off') return nothingGranted();
  const asks = messages.flatMap((m): { sender: string; numbers: number[]; entries: readonly ExactEntry[] }[] => {
    if (m.entries !== undefined) return [{ sender: m.sender, numbers: [], entries: m.entries }];
    const numbers = parseAllowCommand(m.text);
    return numbers === undefined ? [] : [{ sender: m.sender, numbers, entries: [] }];
  });
  if (asks.length === 0) return nothingGranted();
  return withApprovalsLock(conversationDir, () => grantLocked(conversationDir, asks, settings, now));
}

async function grantLocked(
  conversationDir: string,
  asks: readonly { sender: string; numbers: number[]; entries: readonly ExactEntry[] }[],
  settings: ApprovalSettings,
  now: Date,
): Promise<GrantOutcome> {
  const state = await readApprovals(conversationDir);
  const list = state.lastBlocked;
  const outcome: GrantOutcome = { ...nothingGranted(), asked: true, listLength: list.length };
  let approvals = approvalsInEffect(state, now);
  const expiresAt = new Date(now.getTime() + settings.ttlMs).toISOString();
  const grant = (number: number, entry: BlockedEntry, sender: string): void => {
    const approval: ApprovalInEffect = { method: entry.method.toUpperCase(), host: entry.host.toLowerCase(), pathPrefix: entry.pathPrefix, approvedBy: sender, expiresAt };
    const problem = findApprovalProblem({ method: approval.method, host: approval.host, path_prefix: approval.pathPrefix, approved_by: sender, expires_at: expiresAt });
    if (problem !== undefined) {
      outcome.refused.push({ number, entry, reason: `${problem.key.replace('_', ' ')} ${problem.message}` });
      return;
    }
    approvals = [...approvals.filter((a) => !sameEntry(a, approval)), approval];
    outcome.approved = [...outcome.approved.filter((a) => !sameEntry(a.approval, approval)), { number, approval }];
  };
  for (const { sender, numbers, entries } of asks) {
    for (const number of numbers) {
      const entry = number >= 1 ? list[number - 1] : undefined;
      if (entry === undefined) {
        if (!outcome.outOfRange.includes(number)) outcome.outOfRange.push(number);
        continue;
      }
      grant(number, entry, sender);
    }
    for (const exact of entries) {
      // The number the reply gave is not trusted: only the request itself, found in today's list.
      const index = list.findIndex((b) => sameTarget(b, exact));
      const entry = list[index];
      if (entry === undefined) {
        if (!outcome.notBlocked.some((e) => sameTarget(e, exact))) outcome.notBlocked.push({ ...exact });
        continue;
      }
      grant(index + 1, entry, sender);
    }
  }
  if (outcome.approved.length > 0) await writeApprovals(conversationDir, { ...state, approvals });
  return outcome;
}

/** Records the blocked list of the conversation's run that just ended: what `allow N` refers to from now on. */
export async function recordLastBlocked(conversationDir: string, blocked: readonly BlockedEntry[], now: Date): Promise<void> {
  await withApprovalsLock(conversationDir, async () => {
    const state = await readApprovals(conversationDir);
    await writeApprovals(conversationDir, { lastBlocked: blocked.map((b) => ({ ...b })), approvals: approvalsInEffect(state, now) });
  });
}

/**
 * Ends the conversation's approval of exactly (method, host, path) at once:
 * later runs no longer get it (a run already going keeps the approvals it
 * started with). Returns false when no such approval is in effect.
 */
export async function revokeApproval(conversationDir: string, target: Pick<BlockedEntry, 'method' | 'host' | 'pathPrefix'>, now: Date): Promise<boolean> {
  return withApprovalsLock(conversationDir, async () => {
    const state = await readApprovals(conversationDir);
    const inEffect = approvalsInEffect(state, now);
    const kept = inEffect.filter((a) => !sameTarget(a, target));
    if (kept.length === inEffect.length) return false;
    await writeApprovals(conversationDir, { ...state, approvals: kept });
    return true;
  });
}

function sameEntry(a: ApprovalInEffect, b: ApprovalInEffect): boolean {
  return a.method === b.method && a.host === b.host && a.pathPrefix === b.pathPrefix;
}

/** The same request: method and host compared as the approval stores them, the path exactly. */
function sameTarget(a: Pick<BlockedEntry, 'method' | 'host' | 'pathPrefix'>, b: Pick<BlockedEntry, 'method' | 'host' | 'pathPrefix'>): boolean {
  return a.method.toUpperCase() === b.method.toUpperCase() && a.host.toLowerCase() === b.host.toLowerCase() && a.pathPrefix === b.pathPrefix;
}
