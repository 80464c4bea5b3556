import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { writeCertificates } from '../git-http/index.js';
import { TEST_BASE_IMAGE } from '../podman.js';
import type { AwsCredentials } from './verify-signature.js';

/** One request the fake AWS endpoint received, and its verdict on the signature. */
export interface FakeAwsRequest {
  method: string;
  url: string;
  host: string;
  /** `ok`, or why the signature was refused. */
  verdict: string;
  authorization: string | null;
  securityToken: string | null;
  contentSha256: string | null;
  bytes: number;
}

/** A running fake AWS endpoint. */
export interface FakeAws {
  ip: string;
  /** The CA that signed its certificate. */
  caFile: string;
  requests: FakeAwsRequest[];
  /** Resolves once `count` requests were reported. */
  until: (count: number) => Promise<void>;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** The checkout's node_modules: the AWS SDK and its signer, for containers that run them. */
export const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/**
 * Mounts that give a container of the test base image node and the AWS SDK:
 * the host's node binary and the checkout's node_modules beside `dir`.
 */
export function nodeWithSdkArgs(dir: string): string[] {
  return ['-v', `${process.execPath}:/usr/local/bin/node:ro`, '-v', `${NODE_MODULES}:${dir}/node_modules:ro`];
}

/**
 * Starts the fake AWS endpoint (server.js) in a container of the test base
 * image on `network` (one the test created `--internal`), HTTPS on 443, with
 * a certificate for `names`. It verifies every signature with `real`.
 * Removed at teardown.
 */
export async function startFakeAws(t: Test, runtime: ContainerRuntime, options: { name: string; network: string; names: readonly string[]; certDir: string; real: AwsCredentials }): Promise<FakeAws> {
  await writeCertificates(options.certDir, options.names);
  const { real } = options;
  const child = runtime.spawn([
    'run', '--rm', '--init', '--pull=never', '--name', options.name, '--network', options.network,
    ...nodeWithSdkArgs('/srv/fake-aws'),
    '-v', `${join(HERE, 'server.js')}:/srv/fake-aws/server.js:ro`,
    '-v', `${join(HERE, 'verify-signature.js')}:/srv/fake-aws/verify-signature.js:ro`,
    '-v', `${options.certDir}:/certs:ro`,
    '-e', `REAL_KEY_ID=${real.accessKeyId}`, '-e', `REAL_SECRET=${real.secretAccessKey}`, '-e', `REAL_TOKEN=${real.sessionToken ?? ''}`,
    TEST_BASE_IMAGE, '/usr/local/bin/node', '/srv/fake-aws/server.js', '/certs',
  ]);
  t.teardown(async () => {
    await runtime.call(['rm', '-f', '-t', '0', options.name]);
    await child;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  if (child.stdout === null) throw new Error('no stdout');
  const requests: FakeAwsRequest[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const event = JSON.parse(line) as { type: string } & FakeAwsRequest;
      if (event.type === 'ready') resolve();
      if (event.type !== 'request') return;
      requests.push(event);
      for (const w of waiting.filter((x) => x.count <= requests.length)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    });
    void child.then((result) => reject(new Error(`fake AWS ${options.name} exited with ${String(result.exitCode)}: ${stderr}`)));
  });
  const ip = (await runtime.run(['inspect', options.name, '--format', `{{(index .NetworkSettings.Networks "${options.network}").IPAddress}}`])).stdout.trim();
  return {
    ip, caFile: join(options.certDir, 'ca-cert.pem'), requests,
    until: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => { waiting.push({ count, resolve }); })),
  };
}
