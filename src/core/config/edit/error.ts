import { AirutError } from '../../../sandbox/index.js';

/** Stable codes of {@link ConfigEditError}. */
export type ConfigEditErrorCode = 'CONFIG_EDIT_STALE' | 'CONFIG_EDIT_INVALID' | 'CONFIG_EDIT_BAD_REQUEST' | 'CONFIG_EDIT_WRITE_FAILED';

/**
 * An edit of airut.yaml was refused: the file changed on disk since it was
 * loaded (stale), the result does not validate, the edit itself makes no sense,
 * or the file could not be written.
 */
export class ConfigEditError extends AirutError {
  declare readonly code: ConfigEditErrorCode;
}
