import { AirutError } from '../../../sandbox/index.js';

/** Stable codes of {@link EmailChannelError}. */
export type EmailChannelErrorCode =
  | 'EMAIL_CONFIG_INVALID'
  | 'EMAIL_IMAP_FAILED'
  | 'EMAIL_OAUTH2_FAILED'
  | 'EMAIL_SMTP_FAILED'
  | 'EMAIL_STATE_UNREADABLE'
  | 'EMAIL_UNKNOWN_MESSAGE';

/** Infrastructure failures of the email channel (a rejected sender is a result, not an error). */
export class EmailChannelError extends AirutError {
  declare readonly code: EmailChannelErrorCode;

  constructor(code: EmailChannelErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { exitCode: 3, ...options });
  }
}
