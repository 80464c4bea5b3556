// Run by node inside the task container with the AWS SDK for JavaScript v3
// (the checkout's node_modules, mounted beside it). It holds only what the
// container was given: the surrogate keys in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (the SDK's default chain).
// Prints one JSON line per step: {"step", "ok", ...}.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { get } from 'node:https';

const region = 'eu-central-1';
const s3 = new S3Client({ region, endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, maxAttempts: 1 });
const sts = new STSClient({ region, endpoint: process.env.STS_ENDPOINT, maxAttempts: 1 });
const big = Buffer.alloc(6 * 1024 * 1024, 'ab');

async function step(name, run) {
  try {
    process.stdout.write(`${JSON.stringify({ step: name, ok: true, ...(await run()) })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ step: name, ok: false, error: error.name, status: error.$metadata?.httpStatusCode })}\n`);
  }
}

await step('put-small', async () => { await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'dir/small file.txt', Body: 'x'.repeat(1024) })); return {}; });
await step('put-large', async () => { await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'large.bin', Body: big })); return {}; });
await step('get', async () => {
  const out = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'dir/small file.txt' }));
  return { length: (await out.Body.transformToString()).length };
});
await step('list', async () => {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: '' }));
  return { keys: (out.Contents ?? []).map((c) => c.Key).sort() };
});
await step('sts', async () => ({ account: (await sts.send(new GetCallerIdentityCommand({}))).Account }));
await step('presigned-get', async () => {
  // A presigned URL as S3's presigner makes it (UNSIGNED-PAYLOAD, host signed), fetched without any credential.
  const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN };
  const host = new URL(process.env.S3_ENDPOINT).host;
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: Sha256, uriEscapePath: false });
  const hash = 'x-amz-content-sha256';
  const signed = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname: host, path: '/data/dir/small%20file.txt', query: {}, headers: { host, [hash]: 'UNSIGNED-PAYLOAD' } },
    { expiresIn: 300, unsignableHeaders: new Set([hash]), unhoistableHeaders: new Set([hash]) },
  );
  const url = `https://${host}${signed.path}?${new URLSearchParams(signed.query).toString()}`;
  const status = await new Promise((resolve, reject) => { get(url, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject); });
  return { status };
});
