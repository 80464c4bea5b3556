import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseAwsAuthorization } from '../../../../src/sandbox/proxy/aws/authorization.js';
import { buildCanonicalRequest } from '../../../../src/sandbox/proxy/aws/canonical-request.js';
import { buildStringToSign, deriveSigningKey, sha256Hex, signString } from '../../../../src/sandbox/proxy/aws/sigv4-signature.js';
import { headerOf, parseSuiteRequest } from './suite-request.js';

// AWS's published SigV4 test suite (header-signed cases), as shipped with
// awslabs/aws-c-auth: every canonical request, string to sign and signature
// must come out byte for byte. The suite encodes the path once from its
// decoded form and normalizes it where the case says so; the proxy's S3 and
// other-service rules are the two fixed combinations of those switches.

interface Vector {
  name: string;
  context: { credentials: { secret_access_key: string }; normalize: boolean; region: string; service: string; sign_body: boolean };
  signedRequest: string;
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

const { cases } = JSON.parse(readFileSync(new URL('./sigv4-vectors.json', import.meta.url), 'utf8')) as { cases: Vector[] };

t.equal(cases.length, 38, 'every header-signed case of the suite is here');

for (const vector of cases) {
  void t.test(vector.name, async (t) => {
    const request = parseSuiteRequest(vector.signedRequest);
    const authValue = headerOf(request, 'authorization') as string;
    const auth = parseAwsAuthorization(authValue);
    if (auth === undefined) throw new Error(`${vector.name}: Authorization not parsed: ${authValue}`);
    t.equal(auth.accessKeyId, 'AKIDEXAMPLE');
    const payloadHash = headerOf(request, 'x-amz-content-sha256') ?? sha256Hex(request.body);
    const canonical = buildCanonicalRequest({
      method: request.method, target: request.target, rawHeaders: request.rawHeaders, signedHeaders: auth.signedHeaders, payloadHash,
      uriRules: { decodeFirst: true, normalize: vector.context.normalize },
    });
    t.equal(canonical, vector.canonicalRequest, 'canonical request');
    const [date = '', region = '', service = ''] = auth.scope.split('/');
    const amzDate = headerOf(request, 'x-amz-date') as string;
    const scope = { date, region, service };
    const stringToSign = buildStringToSign(auth.algorithm, amzDate, scope, canonical);
    t.equal(stringToSign, vector.stringToSign, 'string to sign');
    t.equal(signString(deriveSigningKey(vector.context.credentials.secret_access_key, scope), stringToSign), vector.signature, 'signature');
    t.equal(auth.signature, vector.signature, 'the signature in the signed request is the one computed');
  });
}
