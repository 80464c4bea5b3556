import { createPrivateKey, type KeyObject } from 'node:crypto';
import { DEFAULT_GITHUB_API, type GithubAppCredential } from '../../network/secrets/github-app.js';
import { mintAppJwt } from './app-jwt.js';
import type { ApiTransport } from './token-exchange.js';

/** A token is replaced once it has less than this left (GHA-03). */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** A token and whether it came from the cache (`[github-app: cached]`) or was just minted (`refreshed`). */
export interface TokenLease {
  readonly token: string;
  readonly state: 'cached' | 'refreshed';
  /** The repositories GitHub listed in the token answer (it lists them when the token was narrowed to some); empty when none or unreadable. */
  readonly repositories: readonly GrantedRepository[];
}

/** A repository a token was granted, as the token answer describes it. */
export interface GrantedRepository {
  readonly id: number;
  readonly nodeId: string;
  /** `owner/name` as GitHub spells it. */
  readonly fullName: string;
}

/** The answer's `repositories` entries that are complete; the rest are left out (they then allow nothing). */
function grantedRepositories(value: unknown): GrantedRepository[] {
  if (!Array.isArray(value)) return [];
  const out: GrantedRepository[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, node_id: nodeId, full_name: fullName } = entry as Record<string, unknown>;
    if (typeof id === 'number' && Number.isSafeInteger(id) && typeof nodeId === 'string' && typeof fullName === 'string' && fullName.includes('/')) {
      out.push({ id, nodeId, fullName });
    }
  }
  return out;
}

/**
 * A token could not be minted. The message says why without quoting the
 * JWT, the key or any token (GitHub's answer body is left out too: it may
 * echo what it was sent).
 */
export class TokenRefreshError extends Error {
  override readonly name = 'TokenRefreshError';
}

/** Token characters GitHub uses; anything else could not travel in a header anyway. */
const TOKEN_SHAPE = /^[\x21-\x7e]{8,512}$/;

/**
 * The installation tokens of one GitHub App, minted on demand and reused
 * until 5 minutes before they expire. Concurrent requests share one
 * exchange; a failure is not remembered, so the next request tries again.
 */
export class InstallationTokens {
  readonly #app: GithubAppCredential;
  readonly #key: KeyObject;
  readonly #transport: ApiTransport;
  readonly #now: () => number;
  #cached: { token: string; expiresAt: number; repositories: readonly GrantedRepository[] } | undefined;
  #pending: Promise<TokenLease> | undefined;

  /** @param now clock in ms (Date.now in production) */
  constructor(app: GithubAppCredential, transport: ApiTransport, now: () => number = Date.now) {
    this.#app = app;
    // Parsed once; the host already checked that it is an RSA key.
    this.#key = createPrivateKey({ key: app.privateKey, format: 'pem' });
    this.#transport = transport;
    this.#now = now;
  }

  /** A token valid for at least the refresh margin, or a {@link TokenRefreshError}. */
  async get(): Promise<TokenLease> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.expiresAt - REFRESH_MARGIN_MS) return { token: cached.token, state: 'cached', repositories: cached.repositories };
    this.#pending ??= this.#refresh().finally(() => { this.#pending = undefined; });
    return this.#pending;
  }

  async #refresh(): Promise<TokenLease> {
    const base = this.#app.baseUrl ?? DEFAULT_GITHUB_API;
    const url = new URL(`${base.replace(/\/+$/, '')}/app/installations/${this.#app.installationId}/access_tokens`);
    const jwt = mintAppJwt(this.#app.appId, this.#key, Math.floor(this.#now() / 1000));
    const body: Record<string, unknown> = {};
    if (this.#app.permissions !== undefined) body.permissions = this.#app.permissions;
    if (this.#app.repositories !== undefined) body.repositories = this.#app.repositories;
    let answer;
    try {
      answer = await this.#transport({
        url,
        method: 'POST',
        headers: {
          authorization: `Bearer ${jwt}`,
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          'content-type': 'application/json',
          'user-agent': 'airut-proxy',
        },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw new TokenRefreshError(`${url.host} could not be reached: ${(cause as Error).message}`);
    }
    if (answer.status !== 201 && answer.status !== 200) {
      throw new TokenRefreshError(`${url.host} answered ${answer.status} to the token request for installation ${this.#app.installationId}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new TokenRefreshError(`${url.host} answered the token request with something that is not JSON`);
    }
    const { token, expires_at: expiresAtText, repositories: listed } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const expiresAt = typeof expiresAtText === 'string' ? Date.parse(expiresAtText) : Number.NaN;
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token) || Number.isNaN(expiresAt)) {
      throw new TokenRefreshError(`${url.host} answered the token request without a usable token and expires_at`);
    }
    const repositories = grantedRepositories(listed);
    this.#cached = { token, expiresAt, repositories };
    return { token, state: 'refreshed', repositories };
  }
}
