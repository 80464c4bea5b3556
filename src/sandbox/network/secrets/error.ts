import { AirutError } from '../../error.js';

/**
 * Codes of {@link SecretsError}:
 *
 * - `SECRETS_INVALID`: a masked secret's definition is unusable (bad name,
 *   empty scopes or headers, a value that cannot travel in a header).
 * - `SECRETS_VALUE_UNMASKABLE`: a value holds nothing a surrogate could vary
 *   (e.g. only a known prefix, or only punctuation), so any look-alike would equal it.
 * - `SECRETS_FILE_INVALID`: the replacement file handed to the proxy is not
 *   what {@link serializeSecrets} writes.
 *
 * Messages name secrets and key paths, never values or surrogates.
 */
export type SecretsErrorCode = 'SECRETS_INVALID' | 'SECRETS_VALUE_UNMASKABLE' | 'SECRETS_FILE_INVALID';

/** Masked secrets cannot be prepared or loaded. */
export class SecretsError extends AirutError {
  declare readonly code: SecretsErrorCode;

  constructor(code: SecretsErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 1 });
  }
}
