import { AirutError } from '../error.js';

/**
 * Failures of the proxy program itself (inside the proxy container): its config,
 * CA or secrets file cannot be read or is invalid, or a listener cannot bind.
 * Per-request failures are never errors: they are log lines and HTTP answers.
 *
 * Codes: `PROXY_CONFIG_UNREADABLE`, `PROXY_CONFIG_INVALID`, `PROXY_CA_UNREADABLE`,
 * `PROXY_SECRETS_UNREADABLE`, `PROXY_LOG_UNWRITABLE`, `PROXY_LISTEN_FAILED`,
 * `PROXY_CONTROL_INVALID` (an unexpected line on stdin with `--await-task`),
 * `PROXY_GRAPHQL_UNAVAILABLE` (the allowlist has a `graphql:` block, and the
 * graphql package cannot be loaded).
 */
export class ProxyError extends AirutError {}
