import { AirutError } from '../../sandbox/index.js';

/** Codes of {@link GatewayError}. */
export type GatewayErrorCode =
  | 'GATEWAY_DOCKERFILE_MISSING'
  | 'GATEWAY_ALLOWLIST_MISSING'
  | 'GATEWAY_ALLOWLIST_INVALID'
  | 'GATEWAY_REPO_START_FAILED'
  | 'GATEWAY_STOPPED';

/**
 * The gateway could not prepare or serve a repo's task: a sandbox file missing
 * from the repo's default branch, or a repo that failed to start.
 */
export class GatewayError extends AirutError {
  declare readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(code, message, { exitCode: 2, ...options });
  }
}
