import { AirutError } from '../../sandbox/index.js';

/**
 * Codes of {@link ApprovalsError}:
 *
 * - `APPROVAL_TTL_INVALID`: `network.approval_ttl` is not a duration.
 * - `APPROVALS_FILE_INVALID`: a conversation's `approvals.json` cannot be read
 *   as approvals; nothing in it is used (fail closed).
 */
export type ApprovalsErrorCode = 'APPROVAL_TTL_INVALID' | 'APPROVALS_FILE_INVALID';

/** Conversation approvals could not be configured or read. */
export class ApprovalsError extends AirutError {
  declare readonly code: ApprovalsErrorCode;

  constructor(code: ApprovalsErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { exitCode: 2, ...options });
  }
}
