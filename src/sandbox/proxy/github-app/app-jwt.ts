import { sign, type KeyObject } from 'node:crypto';

/** Seconds the JWT's `iat` is back-dated, so a GitHub clock slightly behind ours still accepts it. */
const BACKDATE_S = 60;
/** Lifetime after `now`; GitHub refuses JWTs that live longer than 10 minutes. */
const LIFETIME_S = 540;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * The JWT a GitHub App authenticates with: RS256 over
 * `{"alg":"RS256","typ":"JWT"}.{iat: now-60, exp: now+540, iss: appId}`.
 * A numeric App id is sent as a number, a client id as a string.
 */
export function mintAppJwt(appId: string, privateKey: KeyObject, nowSeconds: number): string {
  const iss = /^[0-9]+$/.test(appId) ? Number(appId) : appId;
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ iat: nowSeconds - BACKDATE_S, exp: nowSeconds + LIFETIME_S, iss }));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}
