import { AirutError } from '../../error.js';

/**
 * Failures of the host-side certificate authority store: the CA directory cannot
 * be created or written, or the files in it are not a usable Airut CA.
 *
 * Codes: `CA_DIR_UNWRITABLE`, `CA_INVALID`, `CA_EXPIRED`.
 */
export class CaError extends AirutError {}
