import type { SigningPair } from '../../network/secrets/signing-credential.js';
import { formatAwsAuthorization, type AwsAuthorization } from './authorization.js';
import { buildCanonicalRequest, uriRulesFor } from './canonical-request.js';
import { parseScope, parseScopeV4a } from './credential-scope.js';
import type { ChunkChain } from './chunk-resigner.js';
import { deriveSigningKey, sha256Hex, signString } from './sigv4-signature.js';
import { deriveSigV4aKey, signSigV4a, SIGV4A_ALGORITHM, type SigV4aKey } from './sigv4a-key.js';

/** A request as the container signed it. */
export interface SignedRequest {
  readonly method: string;
  /** Path and optional `?query`, as sent upstream. */
  readonly target: string;
  /** Node's flat raw header list, as it will be forwarded. */
  readonly rawHeaders: readonly string[];
  /** The whole body, when it has been read. */
  readonly body?: Buffer;
}

/** What became of one request (see {@link resignRequest}). */
export type ResignOutcome =
  | {
    readonly kind: 'resigned';
    readonly rawHeaders: string[];
    readonly region: string;
    /** `x-amz-date` as signed, for the clock check. */
    readonly amzDate: string;
    /** Headers that had several entries and now have one. */
    readonly collapsed: readonly { name: string; entries: number }[];
    /** For a chunk-signed body: where its re-signed chain starts (see `ChunkResigner`). */
    readonly chunkChain?: ChunkChain;
  }
  /** The payload hash is not in the headers: the body must be read first (AWS-05). */
  | { readonly kind: 'needs-body' }
  /** Re-signing is not possible; `reason` holds no credential material. */
  | { readonly kind: 'failed'; readonly reason: string };

const AMZ_DATE = /^(\d{8})T\d{6}Z$/;
/** Payloads signed chunk by chunk: the seed alone is worthless without every chunk re-signed after it. */
const CHUNK_SIGNED = /^STREAMING-AWS4-(HMAC-SHA256|ECDSA-P256-SHA256)-PAYLOAD/;
const HMAC_CHUNK_SIGNED = /^STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)?$/;

function headerValues(rawHeaders: readonly string[], lower: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if ((rawHeaders[i] as string).toLowerCase() === lower) out.push(rawHeaders[i + 1] as string);
  return out;
}

/**
 * Re-signs a SigV4 (or SigV4A, AWS-04: ECDSA P-256 with the key derived
 * from the real secret) request the container signed with `pair`'s surrogate key
 * id (AWS-03): the same canonical request the client built (from the wire:
 * S3's or the other services' URI rules, the signed headers, the payload
 * hash), signed with the real key, the real key id in `Credential=`, the
 * surrogate session token swapped for the real one in `X-Amz-Security-Token`.
 * `Authorization` and `X-Amz-Security-Token` leave with one entry each. A
 * chunk-signed body's chain is returned for the body's re-signing.
 *
 * Never throws: anything it cannot re-sign comes back `failed`, and the
 * caller forwards the request as the container signed it (upstream then
 * rejects the surrogate signature).
 */
export function resignRequest(pair: SigningPair, auth: AwsAuthorization, request: SignedRequest): ResignOutcome {
  const v4a = auth.algorithm === SIGV4A_ALGORITHM;
  const scope = v4a ? parseScopeV4a(auth.scope) : parseScope(auth.scope);
  if (scope === undefined) return { kind: 'failed', reason: `the credential scope is not ${v4a ? 'DATE/SERVICE' : 'DATE/REGION/SERVICE'}/aws4_request` };
  const amzDate = headerValues(request.rawHeaders, 'x-amz-date')[0]?.trim();
  const dateMatch = amzDate === undefined ? null : AMZ_DATE.exec(amzDate);
  if (amzDate === undefined || dateMatch === null) return { kind: 'failed', reason: 'no x-amz-date header in the YYYYMMDDTHHMMSSZ form' };
  if (dateMatch[1] !== scope.date) return { kind: 'failed', reason: 'x-amz-date is not on the credential scope\'s date' };

  const declared = headerValues(request.rawHeaders, 'x-amz-content-sha256')[0]?.trim();
  let payloadHash: string;
  if (declared !== undefined) {
    if (CHUNK_SIGNED.test(declared) && (v4a || !HMAC_CHUNK_SIGNED.test(declared))) return { kind: 'failed', reason: 'ECDSA chunk-signed uploads are not re-signed' };
    payloadHash = declared;
  } else if (request.body === undefined) {
    return { kind: 'needs-body' };
  } else {
    payloadHash = sha256Hex(request.body);
  }

  const { rawHeaders, authAt, collapsed } = swapHeaders(pair, request.rawHeaders);
  // HTTP/2 clients may sign the pseudo-header; on HTTP/1.1 its value is Host's.
  const signedHeaders = auth.signedHeaders.includes(':authority')
    ? [...new Set(auth.signedHeaders.map((h) => (h === ':authority' ? 'host' : h)))].sort()
    : auth.signedHeaders;
  let canonical: string;
  try {
    canonical = buildCanonicalRequest({ method: request.method, target: request.target, rawHeaders, signedHeaders, payloadHash, uriRules: uriRulesFor(scope.service) });
  } catch (error) {
    return { kind: 'failed', reason: (error as Error).message };
  }
  // The scope as the client wrote it is exactly what a string to sign holds (it was checked above).
  const stringToSign = [auth.algorithm, amzDate, auth.scope, sha256Hex(canonical)].join('\n');
  const key = 'region' in scope ? deriveSigningKey(pair.credential.secretAccessKey.value, scope) : undefined;
  const signature = key === undefined ? signSigV4a(sigV4aKeyOf(pair), stringToSign) : signString(key, stringToSign);
  const authorization = formatAwsAuthorization({ ...auth, accessKeyId: pair.credential.accessKeyId.value, signedHeaders, signature });
  // Back where the client put it, as the only entry.
  rawHeaders.splice(authAt, 0, 'Authorization', authorization);
  const chunkChain = key !== undefined && HMAC_CHUNK_SIGNED.test(payloadHash) ? { signingKey: key, amzDate, scope: auth.scope, seedSignature: signature } : undefined;
  const region = 'region' in scope ? scope.region : (headerValues(rawHeaders, 'x-amz-region-set')[0]?.trim() ?? '?');
  return { kind: 'resigned', rawHeaders, region, amzDate, collapsed, ...(chunkChain === undefined ? {} : { chunkChain }) };
}

/** Each credential's SigV4A key, derived once (a loop of HMACs and a point multiplication). */
const sigV4aKeys = new WeakMap<SigningPair, SigV4aKey>();

function sigV4aKeyOf(pair: SigningPair): SigV4aKey {
  let key = sigV4aKeys.get(pair);
  if (key === undefined) {
    key = deriveSigV4aKey(pair.credential.accessKeyId.value, pair.credential.secretAccessKey.value);
    sigV4aKeys.set(pair, key);
  }
  return key;
}

/**
 * The headers with the surrogate session token replaced by the real one
 * (one entry left), and without `Authorization`; `authAt` is where its
 * first entry was.
 */
function swapHeaders(pair: SigningPair, rawHeaders: readonly string[]): { rawHeaders: string[]; authAt: number; collapsed: { name: string; entries: number }[] } {
  const out: string[] = [];
  const collapsed: { name: string; entries: number }[] = [];
  const real = pair.credential.sessionToken?.value;
  const tokens = headerValues(rawHeaders, 'x-amz-security-token');
  const auths = headerValues(rawHeaders, 'authorization');
  if (auths.length > 1) collapsed.push({ name: 'authorization', entries: auths.length });
  const swapToken = real !== undefined && tokens.some((t) => t.trim() === pair.surrogateSessionToken);
  if (swapToken && tokens.length > 1) collapsed.push({ name: 'x-amz-security-token', entries: tokens.length });
  let tokenPlaced = false;
  let authAt = -1;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      if (authAt < 0) authAt = out.length;
      continue;
    }
    if (swapToken && lower === 'x-amz-security-token') {
      if (!tokenPlaced) out.push(name, real);
      tokenPlaced = true;
      continue;
    }
    out.push(name, rawHeaders[i + 1] as string);
  }
  return { rawHeaders: out, authAt: authAt < 0 ? out.length : authAt, collapsed };
}
