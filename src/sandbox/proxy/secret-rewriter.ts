import type { RewriteHeaders } from './header-rewrite.js';
import { ProxyError } from './proxy-error.js';

/**
 * Builds the header rewriter for a task's masked secrets from the secrets
 * file's text.
 *
 * @throws ProxyError `PROXY_SECRETS_UNREADABLE` until the masked-secret swapper is wired in:
 *   ignoring the file would forward surrogates and foreign credentials unchecked.
 */
export function loadSecretRewriter(_text: string, source: string): RewriteHeaders {
  throw new ProxyError('PROXY_SECRETS_UNREADABLE', `Masked secrets (${source}) are not supported by this proxy build yet.`, {
    hint: 'Run the task without masked secrets, or update Airut.',
  });
}
