import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { TEST_BASE_IMAGE } from '../podman.js';

/** The committed CA that signed the fake upstream's certificate (for `upstreamCaFile`). */
export const FAKE_UPSTREAM_CA = fileURLToPath(new URL('./certs/ca-cert.pem', import.meta.url));

/** Names the fake upstream's certificate covers. */
export const FAKE_UPSTREAM_NAMES = ['allowed.test', 'blocked.test', 'other.test', 'api.anthropic.com'] as const;

/** One request the fake upstream received. */
export interface UpstreamRequest {
  scheme: 'http' | 'https';
  method: string;
  url: string;
  host: string | null;
  servername: string | null;
  /** Raw header list: name, value, name, value... */
  headers: string[];
  body: string;
}

/** A running fake upstream container. */
export interface FakeUpstream {
  name: string;
  /** Its address on the network it was started on. */
  ip: string;
  /** Every request it received so far, in order. */
  requests: UpstreamRequest[];
}

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Starts a fake upstream (HTTPS 443, HTTP 80 and 8080, JSON echo) in a
 * container of the test base image on `network`, with the host's node
 * bind-mounted read-only. Resolves when it listens; removed at teardown.
 * `network` must be one the test created `--internal`. `certsDir` holds
 * `server-cert.pem` and `server-key.pem` (default: the committed ones, for
 * {@link FAKE_UPSTREAM_NAMES}).
 */
export async function startFakeUpstream(t: Test, runtime: ContainerRuntime, network: string, name: string, certsDir = `${HERE}certs`): Promise<FakeUpstream> {
  const child = runtime.spawn([
    'run', '--rm', '--pull=never', '--name', name, '--network', network,
    '-v', `${process.execPath}:/usr/local/bin/node:ro`,
    // Mounted as .mjs: the container has no package.json saying "type": "module".
    '-v', `${HERE}server.js:/srv/fake-upstream/server.mjs:ro`,
    '-v', `${certsDir}:/srv/fake-upstream/certs:ro`,
    TEST_BASE_IMAGE, '/usr/local/bin/node', '/srv/fake-upstream/server.mjs',
  ]);
  t.teardown(async () => {
    await runtime.call(['rm', '-f', '-t', '0', name]);
    await child;
  });
  const requests: UpstreamRequest[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { type: string } & UpstreamRequest;
      if (event.type === 'ready') resolve();
      if (event.type === 'request') requests.push(event);
    });
    void child.then((result) => reject(new Error(`fake upstream ${name} exited with ${result.exitCode}: ${stderr}`)));
  });
  await ready;
  const ip = (await runtime.run(['inspect', name, '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`])).stdout.trim();
  return { name, ip, requests };
}
