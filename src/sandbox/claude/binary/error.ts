import { AirutError } from '../../error.js';

/** Every code a {@link ClaudeBinaryError} can carry. Stable: callers branch on them. */
export const CLAUDE_BINARY_ERROR_CODES = [
  'CLAUDE_BIN_INVALID_VERSION',
  'CLAUDE_BIN_UNKNOWN_VERSION',
  'CLAUDE_BIN_INTEGRITY',
  'CLAUDE_BIN_TRUNCATED',
  'CLAUDE_BIN_ARCHIVE',
  'CLAUDE_BIN_REGISTRY',
  'CLAUDE_BIN_PLATFORM',
  'CLAUDE_BIN_DISK',
  'CLAUDE_BIN_LOCK',
  'CLAUDE_BIN_NOT_CACHED',
  'CLAUDE_BIN_EXPLICIT_PATH',
  'CLAUDE_BIN_ABORTED',
] as const;

/** One of {@link CLAUDE_BINARY_ERROR_CODES}. */
export type ClaudeBinaryErrorCode = (typeof CLAUDE_BINARY_ERROR_CODES)[number];

/**
 * Resolving, downloading, verifying or installing the Claude Code binary failed.
 * Whatever stage failed, no partial binary is left in the cache.
 */
export class ClaudeBinaryError extends AirutError {
  declare readonly code: ClaudeBinaryErrorCode;
  /** The registry's HTTP status when it answered with an error status. */
  readonly httpStatus: number | undefined;

  constructor(code: ClaudeBinaryErrorCode, message: string, options: { hint: string; cause?: unknown; httpStatus?: number }) {
    super(code, message, options);
    this.httpStatus = options.httpStatus;
  }
}

/** The `CLAUDE_BIN_ABORTED` error: the caller's signal stopped a download of `what`. */
export function downloadAbortedError(what: string, signal: AbortSignal): ClaudeBinaryError {
  return new ClaudeBinaryError('CLAUDE_BIN_ABORTED', `The download of the ${what} was stopped before it finished`, {
    hint: 'The run was stopped while Claude Code was being downloaded; nothing was installed. Run again to download it.',
    cause: signal.reason,
  });
}
