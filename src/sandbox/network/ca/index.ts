/**
 * Airut's host-wide certificate authority for TLS interception: generated once,
 * reused by every sandbox instance on the host.
 */
export { ensureCa, CA_SUBDIR, CA_CERT_FILE, CA_KEY_FILE } from './ensure-ca.js';
export type { CaFiles, EnsureCaOptions } from './ensure-ca.js';
export { createCa, CA_VALIDITY_DAYS } from './create-ca.js';
export type { CaPem } from './create-ca.js';
export { CaError } from './ca-error.js';
