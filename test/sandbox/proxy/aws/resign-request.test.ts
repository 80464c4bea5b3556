import t from 'tap';
import { parseAwsAuthorization } from '../../../../src/sandbox/proxy/aws/authorization.js';
import { withAwsSigning } from '../../../../src/sandbox/proxy/aws/aws-signing-rewriter.js';
import { resignRequest } from '../../../../src/sandbox/proxy/aws/resign-request.js';
import { keepHeaders, type HeaderRewrite } from '../../../../src/sandbox/proxy/header-rewrite.js';
import type { SigningPair } from '../../../../src/sandbox/network/secrets/index.js';
import { signWire, verifyWire, type AwsCredentials } from '../../../harness/fake-aws/verify-signature.js';

// The proxy re-signs what a client signed with the surrogate key; the result
// must be exactly what the AWS SDK's own signer (smithy, independent of the
// proxy's code) produces with the real key, and must verify with it.

const REAL: AwsCredentials = { accessKeyId: 'AKIAREALKEY000000001', secretAccessKey: 'real/Secret+Key0123456789abcdefghijklmnop', sessionToken: 'IQoJb3JpZ2luX2VjEreal-session-token//value==' };
const SURROGATE: AwsCredentials = { accessKeyId: 'AKIASURROGATE0000009', secretAccessKey: 'surr/Ogate+Key0123456789abcdefghijklmnopq', sessionToken: 'S'.repeat(512) };
const PAIR: SigningPair = {
  surrogateAccessKeyId: SURROGATE.accessKeyId,
  surrogateSessionToken: SURROGATE.sessionToken,
  credential: {
    name: 'aws',
    accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: REAL.accessKeyId },
    secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: REAL.secretAccessKey },
    sessionToken: { name: 'AWS_SESSION_TOKEN', value: REAL.sessionToken as string },
    scopes: ['*.amazonaws.com', 's3.test'],
  },
};
const DATE = new Date(Date.UTC(2026, 11, 5, 7, 30, 0));
const AMZ_DATE = '20261205T073000Z';

interface Case {
  method: string;
  host: string;
  target: string;
  headers: [string, string][];
  body?: string;
  region: string;
  service: string;
}

/** The request as a client holding `creds` sends it: signed by smithy over every header given. */
async function clientRequest(c: Case, creds: AwsCredentials): Promise<string[]> {
  const rawHeaders = [['Host', c.host], ['X-Amz-Date', AMZ_DATE], ...c.headers].flat();
  if (creds.sessionToken !== undefined) rawHeaders.push('X-Amz-Security-Token', creds.sessionToken);
  const signedHeaders = [...new Set(rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()))].sort();
  const authorization = await signWire({ method: c.method, host: c.host, target: c.target, rawHeaders, body: c.body, signedHeaders }, { credentials: creds, region: c.region, service: c.service, date: DATE });
  return [...rawHeaders, 'Authorization', authorization];
}

function header(rawHeaders: readonly string[], name: string): string[] {
  return rawHeaders.filter((_, i) => i % 2 === 1 && (rawHeaders[i - 1] as string).toLowerCase() === name);
}

const CASES: Record<string, Case> = {
  'S3 PUT, key with spaces, unicode and reserved characters': {
    method: 'PUT', host: 'bucket.s3.us-east-1.amazonaws.com', target: '/a%20b/%C3%A9t%C3%A9%2Bplus/%28x%29.txt', region: 'us-east-1', service: 's3',
    headers: [['x-amz-content-sha256', 'UNSIGNED-PAYLOAD'], ['Content-Type', 'text/plain']], body: 'hello',
  },
  'S3 key with //, . and .. kept as named': {
    method: 'GET', host: 's3.test', target: '/bucket//dir/./x/../y', region: 'eu-west-1', service: 's3',
    headers: [['x-amz-content-sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']],
  },
  'S3 list with a query to sort and encode': {
    method: 'GET', host: 's3.test', target: '/bucket?list-type=2&prefix=a%2Fb%20c&delimiter=%2F&max-keys=10', region: 'us-east-1', service: 's3',
    headers: [['x-amz-content-sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']],
  },
  'S3 streaming upload without chunk signatures (checksum trailer)': {
    method: 'PUT', host: 's3.test', target: '/bucket/big.bin', region: 'us-east-1', service: 's3',
    headers: [['x-amz-content-sha256', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'], ['x-amz-trailer', 'x-amz-checksum-crc32'], ['Content-Encoding', 'aws-chunked']],
  },
  'other service: the path is normalized and double-encoded': {
    method: 'GET', host: 'execute-api.us-east-1.amazonaws.com', target: '/stage/./a/../items%20x/', region: 'us-east-1', service: 'execute-api',
    headers: [['x-amz-content-sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'], ['X-Custom', '  spaced   out  ']],
  },
  'STS POST whose body hash is not in the headers': {
    method: 'POST', host: 'sts.amazonaws.com', target: '/', region: 'us-east-1', service: 'sts',
    headers: [['Content-Type', 'application/x-www-form-urlencoded; charset=utf-8']], body: 'Action=GetCallerIdentity&Version=2011-06-15',
  },
};

for (const [name, c] of Object.entries(CASES)) {
  void t.test(name, async (t) => {
    const sent = await clientRequest(c, SURROGATE);
    const auth = parseAwsAuthorization(header(sent, 'authorization')[0] as string);
    if (auth === undefined) throw new Error('smithy sent no SigV4 Authorization');
    const deferred = header(sent, 'x-amz-content-sha256').length === 0;
    if (deferred) t.same(resignRequest(PAIR, auth, { method: c.method, target: c.target, rawHeaders: sent }), { kind: 'needs-body' }, 'the body is asked for');
    const outcome = resignRequest(PAIR, auth, { method: c.method, target: c.target, rawHeaders: sent, ...(deferred ? { body: Buffer.from(c.body ?? '') } : {}) });
    if (outcome.kind !== 'resigned') throw new Error(`not re-signed: ${JSON.stringify(outcome)}`);
    t.equal(outcome.region, c.region);
    t.same(header(outcome.rawHeaders, 'authorization'), header(await clientRequest(c, REAL), 'authorization'), 'the same Authorization the SDK sends with the real key');
    t.same(header(outcome.rawHeaders, 'x-amz-security-token'), [REAL.sessionToken], 'the real session token, once');
    t.same(await verifyWire({ method: c.method, host: c.host, target: c.target, rawHeaders: outcome.rawHeaders, body: c.body }, REAL), { ok: true, region: c.region, service: c.service }, 'verifies with the real key');
    t.notMatch(outcome.rawHeaders.join('\n'), SURROGATE.accessKeyId, 'no surrogate left');
  });
}

void t.test('several values of one signed header, in wire order, and duplicate Authorization entries collapsed', async (t) => {
  const c = CASES['S3 list with a query to sort and encode'] as Case;
  const withDupes: Case = { ...c, headers: [...c.headers, ['X-Meta', 'b'], ['x-meta', ' a ']] };
  const sent = await clientRequest(withDupes, SURROGATE);
  const injected = [...sent, 'authorization', 'AWS4-HMAC-SHA256 Credential=AKIAATTACKER/x, SignedHeaders=host, Signature=00'];
  const outcome = resignRequest(PAIR, parseAwsAuthorization(header(sent, 'authorization')[0] as string) as never, { method: c.method, target: c.target, rawHeaders: injected });
  if (outcome.kind !== 'resigned') throw new Error(JSON.stringify(outcome));
  t.equal(header(outcome.rawHeaders, 'authorization').length, 1);
  t.same(outcome.collapsed, [{ name: 'authorization', entries: 2 }]);
  t.same(header(outcome.rawHeaders, 'authorization'), header(await clientRequest(withDupes, REAL), 'authorization'));
});

void t.test('fail-secure: what cannot be re-signed is left as the client signed it', async (t) => {
  const c = CASES['S3 list with a query to sort and encode'] as Case;
  const sent = await clientRequest(c, SURROGATE);
  const auth = parseAwsAuthorization(header(sent, 'authorization')[0] as string);
  if (auth === undefined) throw new Error('no auth');
  const request = { method: c.method, target: c.target, rawHeaders: sent };
  t.match(resignRequest(PAIR, { ...auth, algorithm: 'AWS4-ECDSA-P256-SHA256' }, request), { kind: 'failed', reason: /DATE\/SERVICE\/aws4_request/ });
  t.match(resignRequest(PAIR, { ...auth, scope: '20261205/us-east-1/s3' }, request), { kind: 'failed', reason: /scope/ });
  t.match(resignRequest(PAIR, { ...auth, scope: '20261204/us-east-1/s3/aws4_request' }, request), { kind: 'failed', reason: /date/ });
  t.match(resignRequest(PAIR, { ...auth, signedHeaders: [...auth.signedHeaders, 'x-not-sent'] }, request), { kind: 'failed', reason: /x-not-sent/ });
  const chunked = sent.map((v, i) => (i % 2 === 1 && (sent[i - 1] as string).toLowerCase() === 'x-amz-content-sha256' ? 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' : v));
  t.match(resignRequest(PAIR, auth, { ...request, rawHeaders: chunked }), { kind: 'failed', reason: /ECDSA chunk-signed/ });

  const rewrite = withAwsSigning([PAIR], keepHeaders, () => DATE);
  const viaProxy = await rewrite('s3.test', chunked, { method: c.method, target: c.target });
  t.same(viaProxy.rawHeaders, chunked, 'forwarded unchanged: the surrogate signature, which upstream rejects');
  t.equal(viaProxy.masked, 0);
  t.match(viaProxy.tags, ['aws-sigv4: not re-signed, ECDSA chunk-signed uploads are not re-signed']);
  t.notMatch(JSON.stringify(viaProxy), REAL.secretAccessKey);
  t.notMatch(JSON.stringify(viaProxy), REAL.sessionToken);
});

void t.test('the rewriter: scopes, other requests, the body, clock skew', async (t) => {
  const c = CASES['S3 list with a query to sort and encode'] as Case;
  const sent = await clientRequest(c, SURROGATE);
  const seen: string[] = [];
  const next = (host: string, rawHeaders: string[]): HeaderRewrite => {
    seen.push(host);
    return { rawHeaders, masked: 0, stripped: [], collapsed: [] };
  };
  const rewrite = withAwsSigning([PAIR], next, () => DATE);
  const outside = await rewrite('s3.elsewhere.test', sent, { method: c.method, target: c.target });
  t.same(outside.rawHeaders, sent, 'outside the scopes: not re-signed');
  t.same(seen, ['s3.elsewhere.test'], '... and handed to the other credential handlers');
  const foreign = ['Host', 's3.test', 'Authorization', 'AWS4-HMAC-SHA256 Credential=AKIAOTHERKEY/20261205/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00'];
  t.same((await rewrite('s3.test', foreign, { method: 'GET', target: '/' })).rawHeaders, foreign, 'another key id is not ours to re-sign');

  const signed = await rewrite('s3.test', sent, { method: c.method, target: c.target });
  t.equal(signed.masked, 1);
  t.equal(signed.region, 'us-east-1');
  t.equal(signed.warnings, undefined, 'no skew warning within 5 minutes');

  const late = withAwsSigning([PAIR], next, () => new Date(DATE.getTime() + 7 * 60_000));
  t.same((await late('s3.test', sent, { method: c.method, target: c.target })).warnings, [
    'WARNING: Container clock skew detected: x-amz-date=20261205T073000Z, proxy-time=2026-12-05T07:37:00Z (drift=-7m). Upstream rejection likely.',
  ], 'a container clock 7 minutes behind is warned about (the signature is still made)');

  const sts = CASES['STS POST whose body hash is not in the headers'] as Case;
  const stsSent = await clientRequest(sts, SURROGATE);
  const asked = await rewrite('sts.amazonaws.com', stsSent, { method: 'POST', target: '/' });
  t.equal(asked.needsBody, true, 'without x-amz-content-sha256 the body is asked for');
  const done = await rewrite('sts.amazonaws.com', stsSent, { method: 'POST', target: '/', body: Buffer.from(sts.body ?? '') });
  t.same(await verifyWire({ method: 'POST', host: sts.host, target: '/', rawHeaders: done.rawHeaders, body: sts.body }, REAL), { ok: true, region: 'us-east-1', service: 'sts' });
  t.same(await verifyWire({ method: 'POST', host: sts.host, target: '/', rawHeaders: done.rawHeaders, body: `${sts.body ?? ''}x` }, REAL), { ok: false, reason: 'signature mismatch' }, 'the verifier does refuse a body that was not signed');
});
