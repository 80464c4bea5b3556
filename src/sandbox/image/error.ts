import { AirutError } from '../error.js';

/**
 * An image could not be prepared: invalid build input (codes
 * `IMAGE_CONTEXT_NAME_INVALID`, `IMAGE_DOCKERFILE_MISSING`), a failed build
 * (`IMAGE_BUILD_FAILED`, with the tail of the build log), a build stopped by
 * its caller (`IMAGE_BUILD_ABORTED`, exit code 130), or a lock that could not
 * be taken (`IMAGE_LOCK_FAILED`).
 */
export class ImageBuildError extends AirutError {
  /** The last lines of the build output, when a build ran. */
  readonly logTail: string;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown; logTail?: string } = {}) {
    super(code, message, { hint: options.hint, cause: options.cause, exitCode: code === 'IMAGE_BUILD_ABORTED' ? 130 : 125 });
    this.logTail = options.logTail ?? '';
  }
}
