import { compilePattern, type PatternMatcher } from '../../network/allowlist/pattern.js';
import type { SigningPair } from '../../network/secrets/signing-credential.js';
import type { HeaderRewrite, RewriteHeaders, RewriteRequest } from '../header-rewrite.js';
import { parseAwsAuthorization, type AwsAuthorization } from './authorization.js';
import { ChunkResigner } from './chunk-resigner.js';
import { clockSkewWarning } from './clock-skew.js';
import { presignedKeyId, resignPresigned } from './resign-presigned.js';
import { resignRequest } from './resign-request.js';

interface CompiledSigner {
  readonly pair: SigningPair;
  readonly scopes: readonly PatternMatcher[];
}

function hasAuthorization(rawHeaders: readonly string[]): boolean {
  return rawHeaders.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'authorization');
}

/** The first `Authorization` entry that is an AWS signature made with one of `signers`' surrogate key ids. */
function findSigned(signers: readonly CompiledSigner[], rawHeaders: readonly string[]): { signer: CompiledSigner; auth: AwsAuthorization } | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== 'authorization') continue;
    const auth = parseAwsAuthorization(rawHeaders[i + 1] as string);
    const signer = auth === undefined ? undefined : signers.find((s) => s.pair.surrogateAccessKeyId === auth.accessKeyId);
    if (signer !== undefined && auth !== undefined) return { signer, auth };
  }
  return undefined;
}

/**
 * Puts AWS re-signing in front of the other credential handlers `next`
 * (precedence: signing > GitHub App > masked secret, MSK-08).
 *
 * A request whose `Authorization` is a SigV4 signature made with a
 * surrogate key id, sent to a host inside that credential's scopes, is
 * re-signed with the real key (AWS-02/03) and goes upstream without passing
 * through `next`: any change after signing would break the signature.
 * A presigned URL (no `Authorization`, `X-Amz-Credential` in the query)
 * made with a surrogate key id is re-signed in its query (AWS-07).
 * Every other request is `next`'s, unchanged; so is a surrogate signature
 * sent to a host outside the scopes (it is worthless there).
 *
 * A chunk-signed upload's body is re-signed as it streams (AWS-06).
 *
 * Fail-secure (AWS-08): a request that cannot be re-signed (an ECDSA
 * chunk-signed upload, a malformed scope or date) goes upstream exactly as the
 * container signed it. Upstream rejects the surrogate signature; the real
 * key is never used for it and the proxy never blocks it.
 *
 * @param now the proxy's clock, for the clock-skew warning
 */
export function withAwsSigning(pairs: readonly SigningPair[], next: RewriteHeaders, now: () => Date = () => new Date()): RewriteHeaders {
  if (pairs.length === 0) return next;
  const signers: CompiledSigner[] = pairs.map((pair) => ({ pair, scopes: pair.credential.scopes.map((s) => compilePattern(s, { caseInsensitive: true })) }));
  return (host, rawHeaders, request) => {
    const inScope = signers.filter((s) => s.scopes.some((scope) => scope.test(host)));
    let rewrite: HeaderRewrite | undefined;
    try {
      rewrite = inScope.length === 0 ? undefined : resign(inScope, now, rawHeaders, request);
    } catch (error) {
      // A bug here must not block the request, nor send anything the container did not: it goes on as signed.
      rewrite = unchanged(rawHeaders, `internal error (${error instanceof Error ? error.name : 'unknown'})`);
    }
    // Outside the try: the other handlers' failures must still refuse the request (they strip foreign credentials).
    return rewrite ?? next(host, rawHeaders, request);
  };
}

function unchanged(rawHeaders: string[], reason: string): HeaderRewrite {
  return { rawHeaders, masked: 0, stripped: [], collapsed: [], tags: [`aws-sigv4: not re-signed, ${reason}`] };
}

/** The rewrite of a request signed (or presigned) with one of `inScope`'s surrogate key ids; undefined when it is not. */
function resign(inScope: readonly CompiledSigner[], now: () => Date, rawHeaders: string[], request: RewriteRequest | undefined): HeaderRewrite | undefined {
  const found = findSigned(inScope, rawHeaders);
  if (found === undefined) {
    // A presigned URL carries its signature in the query, and no Authorization at all.
    const keyId = request === undefined || hasAuthorization(rawHeaders) ? undefined : presignedKeyId(request.target);
    const signer = keyId === undefined ? undefined : inScope.find((s) => s.pair.surrogateAccessKeyId === keyId);
    if (signer === undefined || request === undefined) return undefined;
    const presigned = resignPresigned(signer.pair, request.method, request.target, rawHeaders);
    if (presigned.kind === 'failed') return unchanged(rawHeaders, presigned.reason);
    const warning = clockSkewWarning(presigned.amzDate, now());
    return { rawHeaders, masked: 1, stripped: [], collapsed: [], credentials: [signer.pair.credential.name], target: presigned.target, region: presigned.region, ...(warning === undefined ? {} : { warnings: [warning] }) };
  }
  if (request === undefined) return unchanged(rawHeaders, 'no request line');
  const outcome = resignRequest(found.signer.pair, found.auth, { ...request, rawHeaders });
  if (outcome.kind === 'needs-body') return { rawHeaders, masked: 0, stripped: [], collapsed: [], needsBody: true };
  if (outcome.kind === 'failed') return unchanged(rawHeaders, outcome.reason);
  const warning = clockSkewWarning(outcome.amzDate, now());
  const chain = outcome.chunkChain;
  return {
    ...(chain === undefined ? {} : { transformBody: () => new ChunkResigner(chain) }),
    rawHeaders: outcome.rawHeaders,
    masked: 1,
    stripped: [],
    credentials: [found.signer.pair.credential.name],
    collapsed: outcome.collapsed,
    region: outcome.region,
    ...(warning === undefined ? {} : { warnings: [warning] }),
  };
}
