/**
 * Masked secrets: the container holds format-preserving surrogates, and the
 * proxy swaps them for the real values only in request headers and only
 * towards each secret's scoped hosts. Pure logic: no I/O, no sockets.
 */
export { decodeBasicAuth, encodeBasicAuth, type BasicCredential } from './basic-auth.js';
export { SecretsError, type SecretsErrorCode } from './error.js';
export { findMaskedSecretProblems, prepareMaskedSecrets, type MaskedSecret, type PreparedSecrets, type SurrogatePair } from './masked-secret.js';
export { createRedactor, type RedactableSecret } from './redact.js';
export { SECRETS_FILE_VERSION, parseSecretsFile, serializeSecrets } from './secrets-file.js';
export { KNOWN_TOKEN_PREFIXES, createSurrogate, findTokenPrefix, type RandomBytes } from './surrogate.js';
export { SecretSwapper, type CollapsedHeader, type HeaderPairs, type SwapResult } from './swapper.js';
