import { AirutError } from '../../sandbox/index.js';

/** Codes of {@link ConversationError}. */
export type ConversationErrorCode =
  | 'CONVERSATION_ID_INVALID'
  | 'CONVERSATION_GIT_FAILED'
  | 'CONVERSATION_MIRROR_FAILED'
  | 'CONVERSATION_CLONE_FAILED'
  | 'CONVERSATION_REPO_FILE_MISSING';

/**
 * Conversation storage or its git mirror and workspaces failed. Always an
 * infrastructure problem (disk, git, the remote): the gateway answers the user
 * with it and keeps running.
 */
export class ConversationError extends AirutError {
  declare readonly code: ConversationErrorCode;

  constructor(code: ConversationErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 2 });
  }
}
