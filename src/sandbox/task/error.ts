import { AirutError } from '../error.js';

/**
 * A task could not be set up or its container could not be run. Expected
 * failures of the work itself (non-zero exit, timeout, Claude errors) are
 * results, never this error. Codes: `TASK_LIMIT_INVALID`, `TASK_MOUNT_INVALID`,
 * `TASK_ENV_INVALID`, `TASK_ALREADY_RUNNING`, `TASK_START_FAILED`,
 * `TASK_NETWORK_FAILED`, `TASK_SANDBOX_SHUT_DOWN`.
 */
export class TaskError extends AirutError {
  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 125 });
  }
}
