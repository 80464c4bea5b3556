import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findApprovalProblem } from '../../sandbox/index.js';
import { writeFileAtomic } from '../conversation/index.js';
import type { ApprovalInEffect, BlockedEntry } from '../receipt/receipt.js';
import { ApprovalsError } from './error.js';

/** The file in a conversation's directory; it goes with the conversation. */
export const APPROVALS_FILE = 'approvals.json';

/**
 * What a conversation keeps for `allow N`: the numbered blocked list of its
 * last run (what N refers to) and the approvals granted so far. Kept per
 * conversation, so no message can reach another conversation's list.
 */
export interface ConversationApprovals {
  /** The distinct blocked requests of the conversation's last run, numbered from 1 in this order. */
  lastBlocked: BlockedEntry[];
  /** Approvals granted, expired ones included until the next write drops them. */
  approvals: ApprovalInEffect[];
}

const EMPTY: ConversationApprovals = { lastBlocked: [], approvals: [] };

/** Path of the approvals file of the conversation in `conversationDir`. */
export function approvalsFile(conversationDir: string): string {
  return join(conversationDir, APPROVALS_FILE);
}

/**
 * Reads a conversation's approvals; a missing file is an empty one.
 * @throws ApprovalsError `APPROVALS_FILE_INVALID` for a file that is not valid approvals
 */
export async function readApprovals(conversationDir: string): Promise<ConversationApprovals> {
  const path = approvalsFile(conversationDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lastBlocked: [], approvals: [] };
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw invalid(path, `not JSON (${(cause as Error).message})`, cause);
  }
  return validate(value, path);
}

/** Replaces a conversation's approvals file (atomically: readers see the old or the new one). */
export async function writeApprovals(conversationDir: string, state: ConversationApprovals): Promise<void> {
  await writeFileAtomic(approvalsFile(conversationDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** The approvals still in effect at `now` (expiry is exclusive: at `expiresAt` it has ended). */
export function approvalsInEffect(state: ConversationApprovals, now: Date): ApprovalInEffect[] {
  return state.approvals.filter((a) => Date.parse(a.expiresAt) > now.getTime());
}

function validate(value: unknown, path: string): ConversationApprovals {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'not a JSON object');
  const record = value as Record<string, unknown>;
  const lastBlocked = record.lastBlocked ?? [];
  const approvals = record.approvals ?? [];
  if (!Array.isArray(lastBlocked) || !lastBlocked.every(isBlockedEntry)) throw invalid(path, 'lastBlocked is not a list of {method, host, pathPrefix, count}');
  if (!Array.isArray(approvals)) throw invalid(path, 'approvals is not a list');
  approvals.forEach((a: unknown, i) => {
    const entry = a as Record<string, unknown> | null;
    const problem = findApprovalProblem(typeof entry === 'object' && entry !== null
      ? { method: entry.method, host: entry.host, path_prefix: entry.pathPrefix, approved_by: entry.approvedBy, expires_at: entry.expiresAt }
      : entry);
    if (problem !== undefined) throw invalid(path, `approvals[${i}]: ${problem.key} ${problem.message}`);
  });
  return { ...EMPTY, lastBlocked: lastBlocked, approvals: approvals as ApprovalInEffect[] };
}

function isBlockedEntry(value: unknown): value is BlockedEntry {
  const v = value as Record<string, unknown> | null;
  return typeof v === 'object' && v !== null && typeof v.method === 'string' && typeof v.host === 'string'
    && typeof v.pathPrefix === 'string' && typeof v.count === 'number';
}

function invalid(path: string, problem: string, cause?: unknown): ApprovalsError {
  return new ApprovalsError('APPROVALS_FILE_INVALID', `${path}: ${problem}`, {
    hint: 'Airut writes this file; delete it to forget the conversation\'s approvals and its last blocked list.',
    ...(cause === undefined ? {} : { cause }),
  });
}
