// A fake AWS endpoint (S3 and STS shapes) for the re-signing tests, run by
// node in a test container on the test's egress network, HTTPS on $PORT
// (default 443) with the certificate in the directory given as first
// argument. Its node_modules come from the Airut checkout (mounted beside it).
//
// Every request's signature is recomputed with the REAL key ($REAL_KEY_ID,
// $REAL_SECRET, $REAL_TOKEN) by the AWS SDK's signer (verify-signature.js);
// a wrong one gets 403 SignatureDoesNotMatch, as from AWS. Correct ones:
// - PUT /BUCKET/KEY stores the body (aws-chunked bodies decoded), GET returns it;
// - GET /BUCKET?list-type=2 lists the keys (ListObjectsV2 XML);
// - POST / with Action=GetCallerIdentity answers as STS does.
// It prints {"type":"ready"} once it listens, then one {"type":"request"} line
// per request: what it saw (Authorization, the token, the payload hash) and
// the verdict.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { verifyWire } from './verify-signature.js';

const certs = process.argv[2] ?? '/certs';
const env = process.env;
const credentials = { accessKeyId: env.REAL_KEY_ID ?? '', secretAccessKey: env.REAL_SECRET ?? '', ...(env.REAL_TOKEN ? { sessionToken: env.REAL_TOKEN } : {}) };
const objects = new Map();
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

function header(rawHeaders, lower) {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === lower) return rawHeaders[i + 1];
  return null;
}

/** The payload of an aws-chunked body: `hex[;ext]\r\n data \r\n` ... `0\r\n` trailers. */
function unchunk(body) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, eol).toString().split(';')[0], 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

const xml = (res, status, text) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
};

const server = createServer({ key: readFileSync(`${certs}/server-key.pem`), cert: readFileSync(`${certs}/server-cert.pem`) }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const host = header(req.rawHeaders, 'host') ?? '';
    const verdict = await verifyWire({ method: req.method, host, target: req.url, rawHeaders: req.rawHeaders, body }, credentials);
    emit({
      type: 'request', method: req.method, url: req.url, host, verdict: verdict.ok ? 'ok' : verdict.reason,
      authorization: header(req.rawHeaders, 'authorization'), securityToken: header(req.rawHeaders, 'x-amz-security-token'),
      contentSha256: header(req.rawHeaders, 'x-amz-content-sha256'), bytes: body.length,
    });
    if (!verdict.ok) {
      xml(res, 403, `<Error><Code>SignatureDoesNotMatch</Code><Message>${verdict.reason}</Message></Error>`);
      return;
    }
    const url = new URL(req.url, 'https://x');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (req.method === 'POST' && body.toString().includes('Action=GetCallerIdentity')) {
      xml(res, 200, '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/fake</Arn><UserId>AIDAFAKE</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
    } else if (req.method === 'PUT' && key !== '') {
      const chunked = (header(req.rawHeaders, 'content-encoding') ?? '').includes('aws-chunked');
      objects.set(`${bucket}/${key}`, chunked ? unchunk(body) : body);
      res.writeHead(200, { etag: '"fake"' });
      res.end();
    } else if (req.method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      const keys = [...objects.keys()].filter((k) => k.startsWith(`${bucket}/`)).map((k) => k.slice(bucket.length + 1));
      xml(res, 200, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${keys.map((k) => `<Contents><Key>${k}</Key><Size>${objects.get(`${bucket}/${k}`).length}</Size></Contents>`).join('')}</ListBucketResult>`);
    } else if (req.method === 'GET' && objects.has(`${bucket}/${key}`)) {
      const data = objects.get(`${bucket}/${key}`);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      res.end(data);
    } else {
      xml(res, 404, '<Error><Code>NoSuchKey</Code></Error>');
    }
  });
});
server.listen(Number(env.PORT ?? '443'), env.LISTEN ?? '0.0.0.0', () => emit({ type: 'ready', port: server.address().port }));
