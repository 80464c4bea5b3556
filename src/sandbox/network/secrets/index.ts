/**
 * Masked secrets, GitHub App and signing credentials: the container holds
 * format-preserving surrogates, and the proxy swaps them for the real values
 * (or freshly minted tokens, or a signature made with the real key) only in
 * requests to each credential's scoped hosts. Pure logic: no I/O, no sockets.
 */
export { decodeBasicAuth, encodeBasicAuth, type BasicCredential } from './basic-auth.js';
export { SecretsError, type SecretsErrorCode } from './error.js';
export {
  DEFAULT_GITHUB_API, createGithubAppSurrogate, findGithubAppProblems, prepareGithubApps,
  type GithubAppCredential, type GithubAppPair, type PreparedGithubApps,
} from './github-app.js';
export { findMaskedSecretProblems, prepareMaskedSecrets, type MaskedSecret, type PreparedSecrets, type SurrogatePair } from './masked-secret.js';
export { createRedactor, type RedactableSecret } from './redact.js';
export { SECRETS_FILE_VERSION, parseCredentialsFile, parseSecretsFile, serializeSecrets, type CredentialsFile } from './secrets-file.js';
export { KNOWN_TOKEN_PREFIXES, createSurrogate, findTokenPrefix, type RandomBytes } from './surrogate.js';
export {
  SESSION_TOKEN_SURROGATE_LENGTH, createSessionTokenSurrogate, findSigningCredentialProblems, prepareSigningCredentials,
  type NamedValue, type PreparedSigningCredentials, type SigningCredential, type SigningPair,
} from './signing-credential.js';
export { SecretSwapper, type CollapsedHeader, type HeaderPairs, type SwapResult } from './swapper.js';
