import { AirutError } from '../../sandbox/error.js';

/** Stable codes of {@link ServiceError}. */
export type ServiceErrorCode =
  | 'SERVICE_LINGER_DISABLED'
  | 'SERVICE_SYSTEM_NEEDS_ROOT'
  | 'SERVICE_SYSTEMCTL_FAILED'
  | 'SERVICE_UNIT_WRITE_FAILED'
  | 'SERVICE_USER_UNKNOWN'
  | 'SERVICE_TASKS_IN_FLIGHT'
  | 'SERVICE_INSTALL_UNSUPPORTED'
  | 'SERVICE_UPGRADE_FAILED';

/** Exit code of a refused update while tasks run (EX_TEMPFAIL: try again later). */
export const TASKS_IN_FLIGHT_EXIT_CODE = 75;

/**
 * Something stopped `install-service`, `uninstall-service` or `update` before
 * it could do its job: a precondition on the host, a failing systemctl or npm.
 */
export class ServiceError extends AirutError {
  declare readonly code: ServiceErrorCode;

  constructor(code: ServiceErrorCode, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(code, message, options);
  }
}
