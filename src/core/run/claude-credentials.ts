import type { MaskedSecret } from '../../sandbox/index.js';
import { RunError } from './error.js';

/** The host Claude Code talks to; credentials are scoped to it. */
export const ANTHROPIC_API_HOST = 'api.anthropic.com';

/** Variables a prompt run takes Claude's credentials from, with the header each travels in. */
export const CLAUDE_CREDENTIAL_VARIABLES = [
  { name: 'ANTHROPIC_API_KEY', header: 'x-api-key' },
  { name: 'CLAUDE_CODE_OAUTH_TOKEN', header: 'Authorization' },
] as const;

/**
 * Claude's credentials from the caller's environment, as masked secrets
 * scoped to {@link ANTHROPIC_API_HOST}: the container sees a surrogate, the
 * proxy swaps in the real value on the way to Anthropic only.
 *
 * @throws RunError `RUN_NO_CREDENTIALS` naming the variables when none is set.
 */
export function claudeCredentials(env: Readonly<Record<string, string | undefined>>): MaskedSecret[] {
  const secrets = CLAUDE_CREDENTIAL_VARIABLES
    .filter(({ name }) => (env[name] ?? '') !== '')
    .map(({ name, header }): MaskedSecret => ({ name, value: env[name] ?? '', scopes: [ANTHROPIC_API_HOST], headers: [header] }));
  if (secrets.length === 0) {
    throw new RunError('RUN_NO_CREDENTIALS', 'Claude Code needs credentials: neither ANTHROPIC_API_KEY nor CLAUDE_CODE_OAUTH_TOKEN is set', {
      hint: 'Set ANTHROPIC_API_KEY (an API key from console.anthropic.com) or CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`). The container only ever sees a stand-in; the real value is added by the proxy on the way to api.anthropic.com.',
    });
  }
  return secrets;
}
