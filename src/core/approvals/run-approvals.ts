import type { ApprovalDocument } from '../../sandbox/index.js';
import type { ApprovalInEffect } from '../receipt/receipt.js';
import { approvalsInEffect, readApprovals } from './approval-store.js';
import { grantApprovals, nothingGranted, type ApprovalRequest, type ApprovalSettings, type GrantOutcome } from './grant-approvals.js';

/** What a conversation's run takes from its approvals. */
export interface RunApprovals {
  /** What the batch's `allow` commands did (said in the reply). */
  granted: GrantOutcome;
  /** The approvals the run's allowlist carries, the new ones included. */
  inEffect: ApprovalInEffect[];
}

/** `network.approvals` and `network.approval_ttl` when the repo sets neither. */
export const DEFAULT_APPROVAL_SETTINGS: ApprovalSettings = { mode: 'exact', ttlMs: 24 * 3_600_000 };

/**
 * Before a conversation's run: grants what the batch's messages approve,
 * then reads the approvals in effect at `now`. With approvals `off` neither
 * happens (the run gets the repository's allowlist alone).
 * @throws ApprovalsError `APPROVALS_FILE_INVALID` when the conversation's file is unreadable
 */
export async function approvalsForRun(conversationDir: string, messages: readonly ApprovalRequest[], settings: ApprovalSettings, now: Date): Promise<RunApprovals> {
  if (settings.mode === 'off') return { granted: nothingGranted(), inEffect: [] };
  const granted = await grantApprovals(conversationDir, messages, settings, now);
  return { granted, inEffect: approvalsInEffect(await readApprovals(conversationDir), now) };
}

/** The approvals as the proxy's task file carries them. */
export function approvalDocuments(approvals: readonly ApprovalInEffect[]): ApprovalDocument[] {
  return approvals.map((a) => ({ method: a.method, host: a.host, path_prefix: a.pathPrefix, approved_by: a.approvedBy, expires_at: a.expiresAt }));
}
