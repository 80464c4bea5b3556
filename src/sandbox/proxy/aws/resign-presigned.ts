import type { SigningPair } from '../../network/secrets/signing-credential.js';
import { buildCanonicalRequest, encodeRfc3986, percentDecode, uriRulesFor } from './canonical-request.js';
import { parseScope } from './credential-scope.js';
import { buildStringToSign, deriveSigningKey, EMPTY_SHA256, signString, SIGV4_ALGORITHM } from './sigv4-signature.js';

/** A presigned URL's key id, read from its query: undefined when the target is not a SigV4 presigned URL. */
export function presignedKeyId(target: string): string | undefined {
  const q = target.indexOf('?');
  if (q < 0) return undefined;
  for (const part of target.slice(q + 1).split('&')) {
    if (!part.startsWith('X-Amz-Credential=')) continue;
    const credential = percentDecode(part.slice('X-Amz-Credential='.length));
    const slash = credential.indexOf('/');
    return slash > 0 ? credential.slice(0, slash) : undefined;
  }
  return undefined;
}

/** What became of a presigned URL: the target to send, or why it stays as it is. */
export type PresignOutcome =
  | { readonly kind: 'resigned'; readonly target: string; readonly region: string; readonly amzDate: string }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Re-signs a presigned URL made with `pair`'s surrogate key id (AWS-07):
 * `X-Amz-Credential` gets the real key id and the surrogate
 * `X-Amz-Security-Token` the real token BEFORE the canonical request is
 * built (both are part of what is signed), then `X-Amz-Signature` is
 * replaced. The payload is `UNSIGNED-PAYLOAD` for S3 (what S3 signs URLs
 * over) and the empty body otherwise, unless `x-amz-content-sha256` says.
 * Never throws.
 */
export function resignPresigned(pair: SigningPair, method: string, target: string, rawHeaders: readonly string[]): PresignOutcome {
  const q = target.indexOf('?');
  const path = target.slice(0, q);
  const parts = target.slice(q + 1).split('&');
  const value = (name: string): string | undefined => {
    const part = parts.find((p) => p.startsWith(`${name}=`));
    return part === undefined ? undefined : percentDecode(part.slice(name.length + 1));
  };
  if (value('X-Amz-Algorithm') !== SIGV4_ALGORITHM) return { kind: 'failed', reason: 'the presigned URL is not X-Amz-Algorithm=AWS4-HMAC-SHA256' };
  const credential = value('X-Amz-Credential') as string;
  const scope = parseScope(credential.slice(credential.indexOf('/') + 1));
  const amzDate = value('X-Amz-Date');
  const signedHeaders = value('X-Amz-SignedHeaders')?.split(';');
  if (scope === undefined) return { kind: 'failed', reason: 'the credential scope is not DATE/REGION/SERVICE/aws4_request' };
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(scope.date)) return { kind: 'failed', reason: 'X-Amz-Date is not YYYYMMDDTHHMMSSZ on the credential scope\'s date' };
  if (signedHeaders === undefined || value('X-Amz-Signature') === undefined) return { kind: 'failed', reason: 'X-Amz-SignedHeaders or X-Amz-Signature is missing' };

  const realToken = pair.credential.sessionToken?.value;
  const swapped = parts.map((part) => {
    if (part.startsWith('X-Amz-Credential=')) return `X-Amz-Credential=${encodeRfc3986(`${pair.credential.accessKeyId.value}${credential.slice(credential.indexOf('/'))}`)}`;
    if (realToken !== undefined && part.startsWith('X-Amz-Security-Token=') && percentDecode(part.slice('X-Amz-Security-Token='.length)) === pair.surrogateSessionToken) {
      return `X-Amz-Security-Token=${encodeRfc3986(realToken)}`;
    }
    return part;
  });
  const declared = rawHeaders.find((_, i) => i % 2 === 1 && (rawHeaders[i - 1] as string).toLowerCase() === 'x-amz-content-sha256');
  const payloadHash = declared?.trim() ?? (scope.service === 's3' ? 'UNSIGNED-PAYLOAD' : EMPTY_SHA256);
  let canonical: string;
  try {
    canonical = buildCanonicalRequest({ method, target: `${path}?${swapped.join('&')}`, rawHeaders, signedHeaders, payloadHash, uriRules: uriRulesFor(scope.service) });
  } catch (error) {
    return { kind: 'failed', reason: (error as Error).message };
  }
  const signature = signString(deriveSigningKey(pair.credential.secretAccessKey.value, scope), buildStringToSign(SIGV4_ALGORITHM, amzDate, scope, canonical));
  const signed = swapped.map((part) => (part.startsWith('X-Amz-Signature=') ? `X-Amz-Signature=${signature}` : part));
  return { kind: 'resigned', target: `${path}?${signed.join('&')}`, region: scope.region, amzDate };
}
