import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { LineSplitter } from '../../../src/sandbox/runtime/index.js';
import { TEST_BASE_IMAGE } from '../podman.js';

/** One request the fake saw. */
export interface FakeAnthropicRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: { model?: string; stream?: boolean; messages?: Array<{ role: string; content: unknown }> } | undefined;
}

/** A running fake Messages API. */
export interface FakeAnthropic {
  /** `http://<container address>:<port>`, reachable from containers on the same network. */
  url: string;
  /** Every request so far, in order. */
  requests(): Promise<FakeAnthropicRequest[]>;
  /** Removes the container. */
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));

/**
 * Starts the fake Anthropic API in a container on `network` (an --internal
 * network the test created), running this machine's node binary bind-mounted
 * into the test base image. Resolves once it listens.
 */
export async function startFakeAnthropic(runtime: ContainerRuntime, network: string, dir: string, prefix: string): Promise<FakeAnthropic> {
  const name = `${prefix}-anthropic-${randomBytes(3).toString('hex')}`;
  const record = join(dir, `${name}-record`);
  await mkdir(record);
  await writeFile(join(record, 'requests.jsonl'), '');
  const child = runtime.spawn([
    'run', '--rm', '--init', '--name', name, '--network', network,
    '-v', `${process.execPath}:/usr/local/bin/node:ro`,
    '-v', `${SERVER}:/fake/server.mjs:ro`,
    '-v', `${record}:/record`,
    '-e', 'PORT=8080',
    TEST_BASE_IMAGE, '/usr/local/bin/node', '/fake/server.mjs',
  ]);
  const stop = async (): Promise<void> => {
    await runtime.call(['rm', '-f', '-t', '0', name]);
    await child;
  };
  const listening = new Promise<void>((resolve, reject) => {
    const splitter = new LineSplitter();
    child.stdout?.on('data', (chunk: Buffer) => {
      if (splitter.push(chunk).some((line) => line.startsWith('listening'))) resolve();
    });
    void child.then((result) => reject(new Error(`fake Anthropic server exited before listening: ${String(result.exitCode)}`)));
  });
  try {
    await listening;
    const inspect = await runtime.run(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name]);
    return {
      url: `http://${inspect.stdout.trim()}:8080`,
      requests: async () => (await readFile(join(record, 'requests.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeAnthropicRequest),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The fake Anthropic API on `network` behind a TLS front with the test CA
 * (what `api.anthropic.com` resolves to in the test's upstream hosts), both
 * named from `prefix` and removed at teardown.
 */
export async function startFrontedAnthropic(t: Test, runtime: ContainerRuntime, network: string, dir: string, prefix: string): Promise<{ fake: FakeAnthropic; frontIp: string }> {
  const fake = await startFakeAnthropic(runtime, network, dir, prefix);
  t.teardown(() => fake.stop());
  const frontIp = await startTlsFront(t, runtime, network, `${prefix}-front`, new URL(fake.url).host);
  return { fake, frontIp };
}

export { fakeLedgerUsd, messagesRequests, THOUSANDTH_DOLLAR_TOKENS } from './ledger.js';
import { startTlsFront } from './tls-front.js';

export { startTlsFront };
