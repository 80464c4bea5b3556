import t, { type Test } from 'tap';
import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { prepareSigningCredentials, serializeSecrets } from '../../../../src/sandbox/network/secrets/index.js';
import { presignWire, signWire, verifyWire, type AwsCredentials } from '../../../harness/fake-aws/verify-signature.js';
import { FIXED_NOW, send, START, startTestProxy, startUpstream, type FakeUpstream, type TestProxy } from '../proxy-harness.js';

// AWS re-signing through the proxy program (in-process, real sockets): the
// client signs with the surrogates the host handed out, the fake upstream
// recomputes every signature with the REAL key using the AWS SDK's signer,
// and answers 200 only to a correct one (403 otherwise, as AWS does).

const REAL: AwsCredentials = { accessKeyId: 'AKIAREALKEY000000001', secretAccessKey: 'real/Secret+Key0123456789abcdefghijklmnop', sessionToken: 'IQoJb3JpZ2luX2VjEreal-session-token' };
const prepared = prepareSigningCredentials([{
  name: 'aws',
  accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: REAL.accessKeyId },
  secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: REAL.secretAccessKey },
  sessionToken: { name: 'AWS_SESSION_TOKEN', value: REAL.sessionToken as string },
  scopes: ['secret.test'],
}]);
const SURROGATE: AwsCredentials = {
  accessKeyId: prepared.env.AWS_ACCESS_KEY_ID as string,
  secretAccessKey: prepared.env.AWS_SECRET_ACCESS_KEY as string,
  sessionToken: prepared.env.AWS_SESSION_TOKEN,
};
const amzDate = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

async function setup(t: Test): Promise<{ tp: TestProxy; upstream: FakeUpstream; verdicts: string[] }> {
  const verdicts: string[] = [];
  const upstream = await startUpstream(t, {
    handler: (req, res, body) => {
      const host = req.headers.host ?? '';
      void verifyWire({ method: req.method ?? '', host, target: req.url ?? '', rawHeaders: req.rawHeaders, body }, REAL).then((verdict) => {
        verdicts.push(verdict.ok ? 'ok' : verdict.reason);
        res.writeHead(verdict.ok ? 200 : 403, { 'content-type': 'text/plain' });
        res.end(verdict.ok ? 'signed right' : 'SignatureDoesNotMatch');
      });
    },
  });
  const file = join(t.testdir({ 'secrets.json': serializeSecrets([], [], prepared.pairs) }), 'secrets.json');
  const tp = await startTestProxy(t, { allowlist: { domains: ['secret.test', 'other.test'], url_prefixes: [] }, httpsPort: upstream.port, secretsFile: file });
  return { tp, upstream, verdicts };
}

/** Headers of a request signed by smithy with `creds`, as an SDK sends it. */
async function signed(options: { method: string; host: string; target: string; headers: string[]; body?: string; date?: Date; service?: string }, creds = SURROGATE): Promise<string[]> {
  const date = options.date ?? FIXED_NOW;
  const rawHeaders = ['Host', options.host, 'X-Amz-Date', amzDate(date), 'X-Amz-Security-Token', creds.sessionToken as string, ...options.headers];
  const signedHeaders = [...new Set(rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()))].sort();
  const authorization = await signWire({ ...options, rawHeaders, signedHeaders }, { credentials: creds, region: 'eu-central-1', service: options.service ?? 's3', date });
  return [...rawHeaders, 'Authorization', authorization];
}

void t.test('S3 PUT and GET signed with the surrogate reach the upstream signed with the real key', async (t) => {
  const { tp, upstream, verdicts } = await setup(t);
  const put = await send(tp, {
    host: 'secret.test', method: 'PUT', path: '/bucket/a%20key.txt', body: 'content',
    headers: await signed({ method: 'PUT', host: 'secret.test', target: '/bucket/a%20key.txt', headers: ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD', 'content-length', '7'] }),
  });
  t.equal(put.status, 200, put.body);
  const get = await send(tp, {
    host: 'secret.test', path: '/bucket?list-type=2&prefix=a',
    headers: await signed({ method: 'GET', host: 'secret.test', target: '/bucket?list-type=2&prefix=a', headers: ['x-amz-content-sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'] }),
  });
  t.equal(get.status, 200, get.body);
  t.same(verdicts, ['ok', 'ok']);
  t.equal(upstream.seen[0]?.body.toString(), 'content', 'the body streamed through unchanged');
  t.equal(tp.logText(), START
    + 'ALLOWED PUT https://secret.test/bucket/a%20key.txt -> 200 [masked: 1] [region: eu-central-1] [up: 7] [down: 12]\n'
    + 'ALLOWED GET https://secret.test/bucket?list-type=2&prefix=a -> 200 [masked: 1] [region: eu-central-1] [down: 12]\n');
  for (const value of [REAL.secretAccessKey, REAL.sessionToken as string]) t.notOk(tp.logText().includes(value), 'no real value in the log');
});

void t.test('a POST without x-amz-content-sha256 is re-signed over its body, chunked or not', async (t) => {
  const { tp, verdicts } = await setup(t);
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const framed = await send(tp, {
    host: 'secret.test', method: 'POST', path: '/', body,
    headers: await signed({ method: 'POST', host: 'secret.test', target: '/', body, service: 'sts', headers: ['Content-Type', 'application/x-www-form-urlencoded', 'Content-Length', String(body.length)] }),
  });
  t.equal(framed.status, 200, framed.body);
  const chunked = await send(tp, {
    host: 'secret.test', method: 'POST', path: '/', body,
    headers: [...await signed({ method: 'POST', host: 'secret.test', target: '/', body, service: 'sts', headers: ['Content-Type', 'application/x-www-form-urlencoded'] }), 'Transfer-Encoding', 'chunked'],
  });
  t.equal(chunked.status, 200, chunked.body);
  t.same(verdicts, ['ok', 'ok']);
});

void t.test('outside the scopes, and what cannot be re-signed, go out as the client signed them', async (t) => {
  const { tp, verdicts } = await setup(t);
  const other = await send(tp, {
    host: 'other.test', path: '/bucket',
    headers: await signed({ method: 'GET', host: 'other.test', target: '/bucket', headers: ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD'] }),
  });
  t.equal(other.status, 403, 'the upstream refuses the surrogate signature');
  const chunkSigned = await send(tp, {
    host: 'secret.test', method: 'PUT', path: '/bucket/k', body: '',
    headers: await signed({ method: 'PUT', host: 'secret.test', target: '/bucket/k', headers: ['x-amz-content-sha256', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'] }),
  });
  t.equal(chunkSigned.status, 403, 'not re-signed, not blocked: the upstream refuses it');
  t.same(verdicts, ['unknown access key id', 'unknown access key id']);
  t.match(tp.logText(), /^ALLOWED GET https:\/\/other\.test\/bucket -> 403 \[down: 21\]$/m);
  t.match(tp.logText(), /^ALLOWED PUT https:\/\/secret\.test\/bucket\/k -> 403 \[aws-sigv4: not re-signed, ECDSA chunk-signed uploads are not re-signed\] \[down: 21\]$/m);
});

void t.test('a container clock off by more than 5 minutes is warned about', async (t) => {
  const { tp, verdicts } = await setup(t);
  const late = new Date(FIXED_NOW.getTime() - 9 * 60_000);
  const res = await send(tp, {
    host: 'secret.test', path: '/bucket',
    headers: await signed({ method: 'GET', host: 'secret.test', target: '/bucket', date: late, headers: ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD'] }),
  });
  t.equal(res.status, 200, 'still re-signed (the fake upstream does not check the time)');
  t.same(verdicts, ['ok']);
  const warning = tp.events.find((e) => e.kind === 'WARNING');
  t.match(warning, { level: 'warn', line: `WARNING: Container clock skew detected: x-amz-date=${amzDate(late)}, proxy-time=${FIXED_NOW.toISOString().replace(/\.\d{3}Z$/, 'Z')} (drift=-9m). Upstream rejection likely.` });
});

void t.test('a presigned URL made with the surrogate key is re-signed in its query', async (t) => {
  const { tp, upstream, verdicts } = await setup(t);
  const presign = (creds: AwsCredentials, host = 'secret.test'): Promise<string> => presignWire({ method: 'GET', host, target: '/bucket/a%20key.txt?versionId=3' }, { credentials: creds, region: 'eu-central-1', service: 's3', date: FIXED_NOW, expiresIn: 900 });
  const url = await presign(SURROGATE);
  const res = await send(tp, { host: 'secret.test', path: url, headers: ['Host', 'secret.test'] });
  t.equal(res.status, 200, res.body);
  t.same(verdicts, ['ok'], 'the upstream verified the URL with the real key');
  t.equal(upstream.seen[0]?.url, await presign(REAL), 'exactly the URL the SDK presigns with the real key');
  const outside = await send(tp, { host: 'other.test', path: await presign(SURROGATE, 'other.test'), headers: ['Host', 'other.test'] });
  t.equal(outside.status, 403, 'outside the scopes the URL stays as it was');
  t.same(verdicts, ['ok', 'unknown access key id']);
  const garbled = url.replace(/X-Amz-Date=\w+/, 'X-Amz-Date=20261205garbage');
  const malformed = await send(tp, { host: 'secret.test', path: garbled, headers: ['Host', 'secret.test'] });
  t.equal(malformed.status, 403, 'a malformed presigned URL is not blocked by the proxy: it goes on as sent, and the upstream refuses it');
  t.equal(upstream.seen[2]?.url, garbled);
  const log = tp.logText();
  t.match(log, /^ALLOWED GET https:\/\/secret\.test\/bucket\/.*X-Amz-Date=20261205garbage.* -> 403 \[aws-sigv4: not re-signed, X-Amz-Date is not YYYYMMDDTHHMMSSZ on the credential scope's date\] \[down: 21\]$/m);
  t.match(log, /^ALLOWED GET https:\/\/secret\.test\/bucket\/a%20key\.txt\?versionId=3&X-Amz-Security-Token=\w+.* -> 200 \[masked: 1\] \[region: eu-central-1\] \[down: 12\]$/m);
  for (const value of [REAL.accessKeyId, REAL.secretAccessKey, REAL.sessionToken as string]) t.notOk(log.includes(value), 'the log shows the URL as the client sent it, never the real one');
});

void t.test('a chunk-signed upload is re-signed chunk by chunk on its way through', async (t) => {
  const { tp, upstream, verdicts } = await setup(t);
  const zero = '0'.repeat(64);
  const data = ['x'.repeat(70_000), 'y'.repeat(123)];
  const sent = `${data.map((d) => `${d.length.toString(16)};chunk-signature=${zero}\r\n${d}\r\n`).join('')}0;chunk-signature=${zero}\r\n\r\n`;
  const headers = await signed({
    method: 'PUT', host: 'secret.test', target: '/bucket/chunked',
    headers: ['x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'Content-Encoding', 'aws-chunked', 'x-amz-decoded-content-length', '70123', 'Content-Length', String(sent.length)],
  });
  const res = await send(tp, { host: 'secret.test', method: 'PUT', path: '/bucket/chunked', headers, body: sent });
  t.equal(res.status, 200, res.body);
  t.same(verdicts, ['ok'], 'the seed verifies with the real key');
  const seen = upstream.seen[0];
  if (seen === undefined) throw new Error('nothing reached the upstream');
  const received = seen.body.toString('latin1');
  t.equal(received.length, sent.length, 'same length: Content-Length still right');
  // The chain, recomputed here from the seed the upstream saw and the real key.
  const authorization = seen.headers.authorization ?? '';
  const credentialScope = (/Credential=[^/]+\/([^,]+), /.exec(authorization) ?? [])[1] ?? '';
  const amzDate = String(seen.headers['x-amz-date']);
  const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
  const [day = '', region = '', service = ''] = credentialScope.split('/');
  const key = hmac(hmac(hmac(hmac(`AWS4${REAL.secretAccessKey}`, day), region), service), 'aws4_request');
  let previous = (/Signature=([0-9a-f]{64})/.exec(authorization) ?? [])[1] ?? '';
  const empty = createHash('sha256').update('').digest('hex');
  const expected = [...data, ''].map((d) => {
    previous = hmac(key, ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, credentialScope, previous, empty, createHash('sha256').update(d).digest('hex')].join('\n')).toString('hex');
    return previous;
  });
  t.same([...received.matchAll(/chunk-signature=([0-9a-f]{64})/g)].map((m) => m[1]), expected, 'each chunk carries the chain of the real key');
  t.equal(received.replace(/chunk-signature=[0-9a-f]{64}/g, ''), sent.replace(/chunk-signature=[0-9a-f]{64}/g, ''), 'the data is untouched');
});
