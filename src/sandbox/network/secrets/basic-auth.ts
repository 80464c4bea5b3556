/** A decoded `Authorization: Basic` credential. */
export interface BasicCredential {
  /** The scheme word as sent (`Basic`, any case), kept when re-encoding. */
  readonly scheme: string;
  readonly user: string;
  readonly password: string;
}

const BASIC = /^(basic)[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

/**
 * Decode `Basic base64(user:password)`, or undefined when `value` is not a
 * well-formed Basic credential (then it is treated as an opaque value).
 */
export function decodeBasicAuth(value: string): BasicCredential | undefined {
  const match = BASIC.exec(value);
  if (match === null) return undefined;
  const [, scheme = 'Basic', encoded = ''] = match;
  if (encoded.length % 4 === 1) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(encoded, 'base64'));
  } catch {
    // Not UTF-8: it cannot hold a surrogate, which is always ASCII-shaped text.
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { scheme, user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Encode a Basic credential (standard base64 with padding). */
export function encodeBasicAuth(credential: BasicCredential): string {
  return `${credential.scheme} ${Buffer.from(`${credential.user}:${credential.password}`, 'utf8').toString('base64')}`;
}
