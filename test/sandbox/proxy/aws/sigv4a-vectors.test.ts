import t from 'tap';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseAwsAuthorization } from '../../../../src/sandbox/proxy/aws/authorization.js';
import { buildCanonicalRequest, DEFAULT_URI_RULES } from '../../../../src/sandbox/proxy/aws/canonical-request.js';
import { resignRequest } from '../../../../src/sandbox/proxy/aws/resign-request.js';
import { sha256Hex } from '../../../../src/sandbox/proxy/aws/sigv4-signature.js';
import { deriveSigV4aKey, signSigV4a } from '../../../../src/sandbox/proxy/aws/sigv4a-key.js';
import type { SigningPair } from '../../../../src/sandbox/network/secrets/index.js';
import { headerOf, parseSuiteRequest } from './suite-request.js';

// AWS's published SigV4A test suite (awslabs/aws-c-auth, header-signed
// cases): the canonical request and string to sign must come out byte for
// byte, the key derived from AKIDEXAMPLE's secret must be the suite's public
// key, and ECDSA signatures (randomised, so compared by verifying) must hold
// both ways: the suite's under the derived key, the proxy's under the suite's key.

interface Vector {
  name: string;
  context: { credentials: { access_key_id: string; secret_access_key: string; token?: string }; normalize: boolean };
  publicKey: { X: string; Y: string };
  signedRequest: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

const { cases } = JSON.parse(readFileSync(new URL('./sigv4a-vectors.json', import.meta.url), 'utf8')) as { cases: Vector[] };
const key = deriveSigV4aKey('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');

function publicKeyOf(x: string, y: string): ReturnType<typeof createPublicKey> {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(x, 'hex').toString('base64url'), y: Buffer.from(y, 'hex').toString('base64url') }, format: 'jwk' });
}
const verifies = (publicKey: ReturnType<typeof createPublicKey>, text: string, signature: string): boolean => verify('sha256', Buffer.from(text), { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signature, 'hex'));

t.equal(cases.length, 38, 'every complete header-signed case of the suite is here');

for (const vector of cases) {
  void t.test(vector.name, async (t) => {
    const suiteKey = publicKeyOf(vector.publicKey.X, vector.publicKey.Y);
    t.same([key.x.toString('hex'), key.y.toString('hex')], [vector.publicKey.X, vector.publicKey.Y], 'the derived key is the suite\'s');
    const request = parseSuiteRequest(vector.signedRequest);
    const auth = parseAwsAuthorization(headerOf(request, 'authorization') as string);
    if (auth === undefined) throw new Error('Authorization not parsed');
    t.equal(auth.algorithm, 'AWS4-ECDSA-P256-SHA256');
    const canonical = buildCanonicalRequest({
      method: request.method, target: request.target, rawHeaders: request.rawHeaders, signedHeaders: auth.signedHeaders,
      payloadHash: headerOf(request, 'x-amz-content-sha256') ?? sha256Hex(request.body), uriRules: { decodeFirst: true, normalize: vector.context.normalize },
    });
    t.equal(canonical, vector.canonicalRequest, 'canonical request');
    const stringToSign = [auth.algorithm, headerOf(request, 'x-amz-date'), auth.scope, sha256Hex(canonical)].join('\n');
    t.equal(stringToSign, vector.stringToSign, 'string to sign');
    t.ok(verifies(publicKeyOf(key.x.toString('hex'), key.y.toString('hex')), stringToSign, vector.signature), 'the suite\'s signature verifies under the derived key');
    t.ok(verifies(suiteKey, stringToSign, signSigV4a(key, stringToSign)), 'a signature made with the derived key verifies under the suite\'s key');
    t.notOk(verifies(suiteKey, `${stringToSign}x`, vector.signature), 'and a changed string to sign does not');

    // The container signed with a surrogate key id; the proxy re-signs with the real key.
    const pair: SigningPair = {
      surrogateAccessKeyId: 'AKIDSURROGATE',
      ...(vector.context.credentials.token === undefined ? {} : { surrogateSessionToken: 'S'.repeat(512) }),
      credential: {
        name: 'aws',
        accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: 'AKIDEXAMPLE' },
        secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: vector.context.credentials.secret_access_key },
        ...(vector.context.credentials.token === undefined ? {} : { sessionToken: { name: 'AWS_SESSION_TOKEN', value: vector.context.credentials.token } }),
        scopes: ['example.amazonaws.com'],
      },
    };
    const fromContainer = request.rawHeaders.map((v, i) => (i % 2 === 0 ? v
      : v.replace('AKIDEXAMPLE', pair.surrogateAccessKeyId).replace(vector.context.credentials.token ?? '\0', pair.surrogateSessionToken ?? '')));
    const outcome = resignRequest(pair, { ...auth, accessKeyId: pair.surrogateAccessKeyId }, { method: request.method, target: request.target, rawHeaders: fromContainer, body: Buffer.from(request.body) });
    if (outcome.kind !== 'resigned') throw new Error(JSON.stringify(outcome));
    const resigned = parseAwsAuthorization(outcome.rawHeaders[outcome.rawHeaders.indexOf('Authorization') + 1] as string);
    t.equal(resigned?.accessKeyId, 'AKIDEXAMPLE');
    // The proxy signs the wire request as a service other than S3 reads it (the wire path encoded
    // again, dot segments dropped): for most cases that is the suite's canonical request itself.
    const asServiceReadsIt = buildCanonicalRequest({
      method: request.method, target: request.target, rawHeaders: request.rawHeaders, signedHeaders: auth.signedHeaders,
      payloadHash: headerOf(request, 'x-amz-content-sha256') ?? sha256Hex(request.body), uriRules: DEFAULT_URI_RULES,
    });
    const expected = asServiceReadsIt === vector.canonicalRequest ? vector.stringToSign : [auth.algorithm, headerOf(request, 'x-amz-date'), auth.scope, sha256Hex(asServiceReadsIt)].join('\n');
    t.ok(verifies(suiteKey, expected, resigned?.signature ?? ''), 're-signed: verifies under the suite\'s key');
    t.equal(outcome.region, 'us-east-1', 'the region set, for the log');
  });
}
