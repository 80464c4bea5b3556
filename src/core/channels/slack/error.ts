import { AirutError } from '../../../sandbox/index.js';

/** Stable codes of {@link SlackChannelError}. */
export type SlackChannelErrorCode =
  | 'SLACK_AUTH_FAILED'
  | 'SLACK_CONNECT_FAILED'
  | 'SLACK_POST_FAILED'
  | 'SLACK_THREAD_STORE_UNWRITABLE';

/** Infrastructure failures of the Slack channel (a refused user is a result, not an error). */
export class SlackChannelError extends AirutError {
  declare readonly code: SlackChannelErrorCode;

  constructor(code: SlackChannelErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { exitCode: 3, ...options });
  }
}
