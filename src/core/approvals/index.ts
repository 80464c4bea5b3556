/**
 * Approving a blocked request from the thread: the numbered blocked list of
 * a conversation's last run, `allow N` in the user's next message, and the
 * conversation-scoped approvals laid over the repository's allowlist for the
 * conversation's later runs until they expire.
 */
export { parseAllowCommand } from './parse-allow.js';
export { APPROVALS_FILE, approvalsFile, approvalsInEffect, readApprovals, writeApprovals, type ConversationApprovals } from './approval-store.js';
export { grantApprovals, nothingGranted, recordLastBlocked, revokeApproval, type ApprovalRequest, type ApprovalSettings, type ExactEntry, type GrantOutcome } from './grant-approvals.js';
export { approvableEntries } from './approvable-entries.js';
export { approvalText, entryText, grantText } from './approval-text.js';
export { DEFAULT_APPROVAL_TTL, parseApprovalTtl } from './approval-ttl.js';
export { ApprovalsError, type ApprovalsErrorCode } from './error.js';
export { approvalDocuments, approvalsForRun, DEFAULT_APPROVAL_SETTINGS, type RunApprovals } from './run-approvals.js';
