import { parseSecretsFile, SecretSwapper } from '../network/secrets/index.js';
import { keepHeaders, type RewriteHeaders } from './header-rewrite.js';

/**
 * Builds the header rewriter for a task's masked secrets from the secrets
 * file's text (written by the host with `serializeSecrets`).
 *
 * @throws SecretsError `SECRETS_FILE_INVALID` for a file that is not exactly
 *   what the host writes: half-reading it could leave credentials unswapped or unscoped.
 */
export function loadSecretRewriter(text: string, source: string): RewriteHeaders {
  const swapper = new SecretSwapper(parseSecretsFile(text, source));
  if (swapper.size === 0) return keepHeaders;
  return (host, rawHeaders) => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
    const result = swapper.apply(host, pairs);
    return {
      rawHeaders: result.headers.flat(),
      masked: result.masked,
      stripped: result.strippedHeaders,
      collapsed: result.collapsedHeaders,
    };
  };
}
