import { AirutError } from '../error.js';

/** Codes of {@link EventLogError}. */
export type EventLogErrorCode =
  | 'EVENT_LOG_WRITE_FAILED'
  | 'EVENT_LOG_READ_FAILED'
  | 'EVENT_LOG_INVALID_LINE'
  | 'EVENT_LOG_CLOSED'
  | 'EVENT_LOG_BAD_OFFSET';

/** The event log (`events.jsonl`) could not be written or read, or was misused. */
export class EventLogError extends AirutError {
  declare readonly code: EventLogErrorCode;
  /** The log file concerned. */
  readonly path: string;

  constructor(code: EventLogErrorCode, message: string, path: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.path = path;
  }
}
