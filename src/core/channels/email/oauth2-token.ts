/**
 * OAuth2 access tokens for XOAUTH2 logins (IMAP and SMTP) with the
 * client-credentials grant, as Microsoft 365 offers it for service principals.
 *
 * A token is kept until shortly before it expires and then fetched again, so
 * a reconnect or a reply never presents an expired one; callers asking at the
 * same time share one request.
 */
import type { MicrosoftOAuth2Config } from '../../config/index.js';
import { EmailChannelError } from './error.js';

/** The scope Exchange Online grants IMAP.AccessAsApp and SMTP.SendAsApp under. */
export const M365_SCOPE = 'https://outlook.office365.com/.default';

/** Microsoft's v2.0 token endpoint of `tenantId`. */
export function m365TokenUrl(tenantId: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
}

/** Where and as whom tokens are requested. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

/** The client credentials of a `microsoft_oauth2` block, with its defaults filled in. */
export function clientCredentialsOf(config: MicrosoftOAuth2Config): ClientCredentials {
  return {
    tokenUrl: config.token_url ?? m365TokenUrl(config.tenant_id),
    clientId: config.client_id,
    clientSecret: config.client_secret,
    scope: config.scope,
  };
}

/** Options of {@link OAuth2TokenSource}. */
export interface OAuth2TokenSourceOptions {
  clock?: () => Date;
  /** `fetch` to use; the global one by default. */
  fetch?: typeof fetch;
  /** Fetch a new token this long before the current one expires. */
  refreshMarginMs?: number;
  /** Give up on the token endpoint after this long. */
  timeoutMs?: number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Hands out a valid access token, fetching a new one only when needed. */
export class OAuth2TokenSource {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private readonly clock: () => Date;
  private readonly fetch: typeof fetch;
  private readonly marginMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly credentials: ClientCredentials, options: OAuth2TokenSourceOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.fetch = options.fetch ?? fetch;
    this.marginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * A token valid for at least the refresh margin (or, for a token issued for less
   * than twice the margin, half its lifetime). `renew` drops the kept token first,
   * for when a server refused it.
   */
  async token(renew = false): Promise<string> {
    return (await this.tokenWithExpiry(renew)).value;
  }

  /** {@link token} with the time (epoch ms) after which it will no longer be handed out. */
  async tokenWithExpiry(renew = false): Promise<{ value: string; expiresAt: number }> {
    if (renew) this.cached = undefined;
    const now = this.clock().getTime();
    if (this.cached !== undefined && now < this.cached.expiresAt) return { ...this.cached };
    this.pending ??= this.request().finally(() => { this.pending = undefined; });
    const fresh = await this.pending;
    this.cached = fresh;
    return { ...fresh };
  }

  private async request(): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret, scope } = this.credentials;
    const issuedAt = this.clock().getTime();
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope });
    let response: Response;
    try {
      response = await this.fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw failure(`could not reach the OAuth2 token endpoint ${tokenUrl}: ${err instanceof Error ? err.message : String(err)}`, err,
        'Check email.microsoft_oauth2.token_url (or tenant_id) and the network.');
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = typeof parsed?.error === 'string' ? parsed.error : `HTTP ${response.status}`;
      const description = typeof parsed?.error_description === 'string' ? `: ${parsed.error_description.split(/\r?\n/)[0] ?? ''}` : '';
      throw failure(`the OAuth2 token endpoint ${tokenUrl} refused client ${clientId}: ${error}${description}`, undefined,
        'Check email.microsoft_oauth2.tenant_id, client_id and client_secret (secrets expire), and that the app has IMAP.AccessAsApp and SMTP.SendAsApp.');
    }
    const value = parsed?.access_token;
    const lifetime = Number(parsed?.expires_in);
    if (typeof value !== 'string' || value === '' || !Number.isFinite(lifetime) || lifetime <= 0) {
      throw failure(`the OAuth2 token endpoint ${tokenUrl} answered without an access_token and a positive expires_in: ${text.slice(0, 200)}`, undefined,
        'email.microsoft_oauth2.token_url must be an OAuth2 v2.0 token endpoint.');
    }
    const lifetimeMs = lifetime * 1000;
    const margin = Math.min(this.marginMs, lifetimeMs / 2);
    return { value, expiresAt: issuedAt + lifetimeMs - margin };
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    // Not JSON (an HTML error page from a proxy): the status says enough.
    return undefined;
  }
}

function failure(message: string, cause: unknown, hint: string): EmailChannelError {
  return new EmailChannelError('EMAIL_OAUTH2_FAILED', message, { hint, ...(cause === undefined ? {} : { cause }) });
}
