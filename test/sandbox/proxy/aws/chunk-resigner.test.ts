import t from 'tap';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parseAwsAuthorization } from '../../../../src/sandbox/proxy/aws/authorization.js';
import { ChunkResigner } from '../../../../src/sandbox/proxy/aws/chunk-resigner.js';
import { resignRequest } from '../../../../src/sandbox/proxy/aws/resign-request.js';
import type { SigningPair } from '../../../../src/sandbox/network/secrets/index.js';

// AWS's published streaming examples (S3 API reference, "Signature
// calculations ... transferring payload in multiple chunks", with and without
// trailing headers): 65,536 + 1,024 bytes of "a" uploaded by AKIAIOSFODNN7EXAMPLE.
// The container signed the body with a surrogate key (any signatures at all);
// after the proxy, the seed and every chunk and trailer signature must be AWS's.

const PAIR: SigningPair = {
  surrogateAccessKeyId: 'AKIASURROGATE0000001',
  credential: {
    name: 'aws',
    accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' },
    secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    scopes: ['s3.amazonaws.com'],
  },
};

interface Example {
  payload: string;
  signedHeaders: string;
  seed: string;
  chunks: [string, string, string];
  trailer: string;
  extraHeaders: string[];
}

const EXAMPLES: Record<string, Example> = {
  'without trailer': {
    payload: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    signedHeaders: 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
    seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    chunks: ['ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648', '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'],
    trailer: '',
    extraHeaders: ['Content-Length', '66824'],
  },
  'with a trailing checksum': {
    payload: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    signedHeaders: 'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
    seed: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
    chunks: ['b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2', '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7', '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992'],
    trailer: 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n',
    extraHeaders: ['x-amz-trailer', 'x-amz-checksum-crc32c'],
  },
};

function body(signatures: readonly string[], trailer: string): string {
  return `10000;chunk-signature=${signatures[0]}\r\n${'a'.repeat(65536)}\r\n400;chunk-signature=${signatures[1]}\r\n${'a'.repeat(1024)}\r\n0;chunk-signature=${signatures[2]}\r\n${trailer}\r\n`;
}

/** The body in pieces of `size` bytes, as a socket might deliver it. */
function pieces(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

for (const [name, example] of Object.entries(EXAMPLES)) {
  void t.test(name, async (t) => {
    const zero = '0'.repeat(64);
    const rawHeaders = [
      'Host', 's3.amazonaws.com', 'x-amz-date', '20130524T000000Z', 'x-amz-storage-class', 'REDUCED_REDUNDANCY',
      'Authorization', `AWS4-HMAC-SHA256 Credential=${PAIR.surrogateAccessKeyId}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${example.signedHeaders},Signature=${zero}`,
      'x-amz-content-sha256', example.payload, 'Content-Encoding', 'aws-chunked', 'x-amz-decoded-content-length', '66560', ...example.extraHeaders,
    ];
    const auth = parseAwsAuthorization(rawHeaders[7] as string);
    if (auth === undefined) throw new Error('not parsed');
    const outcome = resignRequest(PAIR, auth, { method: 'PUT', target: '/examplebucket/chunkObject.txt', rawHeaders });
    if (outcome.kind !== 'resigned' || outcome.chunkChain === undefined) throw new Error(JSON.stringify(outcome));
    t.match(outcome.rawHeaders[outcome.rawHeaders.indexOf('Authorization') + 1], `Signature=${example.seed}`, 'the seed signature is AWS\'s');

    const sent = body([zero, zero, zero], example.trailer.replace(/[0-9a-f]{64}/, zero));
    const expected = body(example.chunks, example.trailer);
    for (const size of [1, 7, 8192, 100_000]) {
      const out = await text(Readable.from(pieces(sent, size)).pipe(new ChunkResigner(outcome.chunkChain)));
      t.equal(out.length, expected.length, `same length (pieces of ${size})`);
      t.ok(out === expected, `every chunk${example.trailer === '' ? '' : ' and the trailer'} signed as AWS did (pieces of ${size})`);
    }
  });
}

void t.test('a body that is not aws-chunked passes through as sent', async (t) => {
  const chain = { signingKey: Buffer.alloc(32), amzDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request', seedSignature: '0'.repeat(64) };
  for (const sent of ['not chunked at all', `10;chunk-signature=${'0'.repeat(64)}\r\n${'a'.repeat(16)}XX`, `ffffffff;chunk-signature=${'0'.repeat(64)}\r\n`, `5;chunk-signature=short\r\nhello\r\n`]) {
    const resigner = new ChunkResigner(chain);
    t.equal(await text(Readable.from([Buffer.from(sent)]).pipe(resigner)), sent, JSON.stringify(sent.slice(0, 30)));
    t.ok(resigner.passingThrough);
  }
});
