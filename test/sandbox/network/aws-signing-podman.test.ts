import t from 'tap';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { allowlistFromObject } from '../../../src/sandbox/network/allowlist/index.js';
import { NetworkSandbox } from '../../../src/sandbox/network/index.js';
import { nodeWithSdkArgs, startFakeAws } from '../../harness/fake-aws/index.js';
import { testRuntime } from '../../harness/podman.js';
import { builtPackageRoot, leftovers, runInTask, tempDir, testEgressNetwork, uniquePrefix } from './network-fixture.js';
import { accessLine } from '../../harness/access-line.js';

// AWS re-signing through the real proxy in podman, with real AWS clients in
// the task: the AWS SDK for JavaScript v3 (S3 PUT of 1 KiB and 6 MiB, GET,
// ListObjectsV2, STS, a URL presigned by its signer) and curl's own SigV4 signer (an STS-style POST without
// x-amz-content-sha256, and a host outside the scopes). The fake AWS endpoint
// on the test's --internal egress network recomputes every signature with the
// REAL key using the SDK's signer, and accepts only correct ones. The task
// holds only surrogates, and the real values are nowhere in it or in the log.

const runtime = testRuntime();
const REAL = { accessKeyId: 'ASIAREALREALREAL1234', secretAccessKey: 'Real/Secret+Key/9f8e7d6c5b4a3f2e1d0c9b8a', sessionToken: 'IQoJb3JpZ2luX2VjEREALsessionTOKENvalue0123456789abcdef' };
const CLIENT = fileURLToPath(new URL('../../harness/fake-aws/sdk-client.js', import.meta.url));

void t.test('AWS SDK and curl sign with surrogates; the upstream sees the real key\'s signatures', async (t) => {
  const prefix = uniquePrefix();
  const packageRoot = await builtPackageRoot();
  const egressNetwork = await testEgressNetwork(t, runtime, prefix);
  const aws = await startFakeAws(t, runtime, {
    name: `${prefix}-aws`, network: egressNetwork, names: ['s3.aws.test', 'sts.aws.test', 'unscoped.test'], certDir: await tempDir(t, 'aws-certs'), real: REAL,
  });
  const sandbox = new NetworkSandbox({
    runtime,
    resourcePrefix: prefix,
    caDir: await tempDir(t, 'ca'),
    allowlist: allowlistFromObject({ domains: ['s3.aws.test', 'sts.aws.test', 'unscoped.test'], url_prefixes: [] }, 'test allowlist'),
    signingCredentials: [{
      name: 'aws',
      accessKeyId: { name: 'AWS_ACCESS_KEY_ID', value: REAL.accessKeyId },
      secretAccessKey: { name: 'AWS_SECRET_ACCESS_KEY', value: REAL.secretAccessKey },
      sessionToken: { name: 'AWS_SESSION_TOKEN', value: REAL.sessionToken },
      scopes: ['*.aws.test'],
    }],
    egressNetwork,
    upstreamHosts: { 's3.aws.test': aws.ip, 'sts.aws.test': aws.ip, 'unscoped.test': aws.ip },
    upstreamCaFile: aws.caFile,
    packageRoot,
    tmpDir: await tempDir(t, 'proxy-tmp'),
  });
  t.teardown(() => sandbox.close());

  const contextDir = await tempDir(t, 'context');
  const attachment = await sandbox.attach('aws', contextDir);
  t.teardown(() => attachment.release());
  const surrogateKeyId = attachment.env.AWS_ACCESS_KEY_ID ?? '';
  t.match(surrogateKeyId, /^ASIA[A-Z0-9]{16}$/, 'the task holds a look-alike key id');
  t.not(surrogateKeyId, REAL.accessKeyId);
  t.equal(attachment.env.AWS_SECRET_ACCESS_KEY?.length, REAL.secretAccessKey.length);
  t.match(attachment.env.AWS_SESSION_TOKEN, /^[A-Za-z0-9]{512}$/);

  const curlSts = (host: string): string => 'curl -sS --max-time 30 -o /dev/null -w "%{http_code}\\n" --aws-sigv4 "aws:amz:eu-central-1:sts" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"'
    + ` -H "x-amz-security-token: $AWS_SESSION_TOKEN" -H "Content-Type: application/x-www-form-urlencoded" -d "Action=GetCallerIdentity&Version=2011-06-15" https://${host}/`;
  // The values travel escaped and are written where the search does not look: a needle in the
  // script or in grep's own arguments would be found in /proc/*/cmdline by the search itself.
  const escaped = (value: string): string => [...value].map((c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`).join('');
  // The surrogate key id is the control: it is in the environment, so the search must find it.
  const leakCheck = [surrogateKeyId, REAL.accessKeyId, REAL.secretAccessKey, REAL.sessionToken].map((value) => [
    `printf '${escaped(value)}\\n' > /dev/shm/needle`,
    'test -s /dev/shm/needle && if grep -rqsF -f /dev/shm/needle /proc/[0-9]*/environ /proc/[0-9]*/cmdline /root /tmp /etc /opt/aws-client/sdk-client.js; then echo found; else echo absent; fi',
  ].join('\n'));
  const result = await runInTask(runtime, attachment, [
    'update-ca-certificates >/dev/null 2>&1',
    'cd /opt/aws-client',
    'S3_ENDPOINT=https://s3.aws.test STS_ENDPOINT=https://sts.aws.test /usr/local/bin/node sdk-client.js',
    curlSts('sts.aws.test'),
    curlSts('unscoped.test'),
    ...leakCheck,
  ].join('\n'), [...nodeWithSdkArgs('/opt/aws-client'), '-v', `${CLIENT}:/opt/aws-client/sdk-client.js:ro`, '-e', `NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt`]);
  t.equal(result.exitCode, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  const steps = lines.slice(0, 6).map((line) => JSON.parse(line) as Record<string, unknown>);
  t.same(steps, [
    { step: 'put-small', ok: true },
    { step: 'put-large', ok: true },
    { step: 'get', ok: true, length: 1024 },
    { step: 'list', ok: true, keys: ['dir/small file.txt', 'large.bin'] },
    { step: 'sts', ok: true, account: '123456789012' },
    { step: 'presigned-get', ok: true, status: 200 },
  ], 'every SDK call, and a presigned URL, succeeded against the verifying endpoint');
  t.same(lines.slice(6, 8), ['200', '403'], 'curl\'s STS POST re-signed over its body; outside the scopes it is not');
  t.same(lines.slice(8), ['found', 'absent', 'absent', 'absent'], 'no real value in any process\'s environment or command line, or in a file (the surrogate is found)');

  await aws.until(8);
  t.same(aws.requests.map((r) => `${r.method} ${r.host} ${r.verdict}`), [
    'PUT s3.aws.test ok', 'PUT s3.aws.test ok', 'GET s3.aws.test ok', 'GET s3.aws.test ok', 'POST sts.aws.test ok', 'GET s3.aws.test ok',
    'POST sts.aws.test ok', 'POST unscoped.test unknown access key id',
  ], 'the endpoint verified each signature with the real key; the out-of-scope one kept the surrogate');
  t.equal(aws.requests[1]?.bytes, 6 * 1024 * 1024, 'the 6 MiB body arrived whole');
  t.match(aws.requests[5]?.url, `X-Amz-Credential=${REAL.accessKeyId}%2F`, 'the presigned URL arrived with the real key id in its query');
  t.equal(aws.requests[6]?.contentSha256, null, 'curl\'s POST had no x-amz-content-sha256 (deferred re-sign)');
  t.ok(aws.requests.slice(0, 5).concat(aws.requests.slice(6, 7)).every((r) => r.securityToken === REAL.sessionToken), 'the real session token upstream in its header, in scope');
  t.equal(aws.requests[7]?.securityToken, attachment.env.AWS_SESSION_TOKEN, 'the surrogate token outside the scopes');

  await attachment.release();
  const log = await readFile(join(contextDir, 'network-sandbox.log'), 'utf8');
  t.match(log, accessLine(/ALLOWED PUT https:\/\/s3\.aws\.test\/data\/dir\/small%20file\.txt(\?x-id=PutObject)? -> 200 \[masked: 1\] \[region: eu-central-1\]/));
  t.match(log, accessLine(/ALLOWED POST https:\/\/sts\.aws\.test\/ -> 200 \[masked: 1\] \[region: eu-central-1\]/));
  t.match(log, accessLine(/ALLOWED POST https:\/\/unscoped\.test\/ -> 403/));
  for (const value of [REAL.accessKeyId, REAL.secretAccessKey, REAL.sessionToken]) t.notOk(log.includes(value), 'no real value in the network log');

  await sandbox.close();
  t.same(await leftovers(runtime, prefix), [], 'proxies and task networks removed');
});
