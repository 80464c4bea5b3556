import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { writeCertificates } from '../git-http/index.js';
import { TEST_BASE_IMAGE } from '../podman.js';

/** One request the fake GitHub received. */
export interface FakeGithubRequest {
  kind: 'mint' | 'rest' | 'graphql';
  method: string;
  url: string;
  host: string | null;
  /** For `mint`: `ok` or why the App JWT was refused. */
  jwt?: string;
  /** For `mint`: the request body (permissions, repositories); for `graphql`: the query as received. */
  body?: string;
  apiVersion?: string | null;
  /** For `rest`: the Authorization header it saw, and whether it held an issued, unexpired token. */
  authorization?: string | null;
  authorized?: boolean;
}

/** How the fake GitHub behaves. */
export interface FakeGithubOptions {
  /** Host names its certificate covers. */
  names: readonly string[];
  /** A temp directory the test removes, for the certificates. */
  certDir: string;
  appId: string;
  installationId: number;
  /** The App's public key, PEM: JWTs are checked against it. */
  publicKeyPem: string;
  /** Token every mint issues; default a fresh random one each time. */
  issueToken?: string;
  /** Lifetime of issued tokens, seconds (default 3600). */
  tokenTtlS?: number;
  /** The installation's repositories: a token asked for some of them lists those in its answer. */
  repositories?: readonly { id: number; node_id: string; full_name: string }[];
}

/** A running fake GitHub. */
export interface FakeGithub {
  /** Its address (container IP, or 127.0.0.1). */
  ip: string;
  port: number;
  /** The CA that signed its certificate. */
  caFile: string;
  requests: FakeGithubRequest[];
  /** Resolves once `count` requests were reported (the report may trail the answer). */
  until: (count: number) => Promise<void>;
  /** Make every token request fail (500) from now on, or stop doing so. */
  failMinting(fail: boolean): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./server.js', import.meta.url));
const FAIL_FLAG = '/tmp/airut-fake-github-fail';

function serverEnv(options: FakeGithubOptions, failFlag: string): Record<string, string> {
  return {
    APP_ID: options.appId,
    INSTALLATION_ID: String(options.installationId),
    APP_PUBLIC_KEY: options.publicKeyPem,
    TOKEN_TTL_S: String(options.tokenTtlS ?? 3600),
    FAIL_FLAG: failFlag,
    REPOS: JSON.stringify(options.repositories ?? []),
    ...(options.issueToken === undefined ? {} : { ISSUE_TOKEN: options.issueToken }),
  };
}

interface Collector {
  requests: FakeGithubRequest[];
  until: (count: number) => Promise<void>;
}

function collect(lines: NodeJS.ReadableStream, onReady: (port: number) => void): Collector {
  const requests: FakeGithubRequest[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  createInterface({ input: lines }).on('line', (line) => {
    const event = JSON.parse(line) as { type: string; port?: number } & FakeGithubRequest;
    if (event.type === 'ready') onReady(event.port ?? 443);
    if (event.type !== 'request') return;
    requests.push(event);
    for (const w of waiting.filter((x) => x.count <= requests.length)) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    requests,
    until: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => { waiting.push({ count, resolve }); })),
  };
}

/**
 * Starts the fake GitHub (server.js) in a container of the test base image on
 * `network` (one the test created `--internal`), HTTPS on 443. Removed at teardown.
 */
export async function startFakeGithub(t: Test, runtime: ContainerRuntime, name: string, network: string, options: FakeGithubOptions): Promise<FakeGithub> {
  await writeCertificates(options.certDir, options.names);
  const envArgs = Object.entries(serverEnv(options, FAIL_FLAG)).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const child = runtime.spawn([
    'run', '--rm', '--init', '--pull=never', '--name', name, '--network', network,
    '-v', `${process.execPath}:/usr/local/bin/node:ro`,
    '-v', `${SERVER}:/srv/fake-github/server.mjs:ro`,
    '-v', `${options.certDir}:/certs:ro`,
    ...envArgs,
    TEST_BASE_IMAGE, '/usr/local/bin/node', '/srv/fake-github/server.mjs', '/certs',
  ]);
  t.teardown(async () => {
    await runtime.call(['rm', '-f', '-t', '0', name]);
    await child;
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let collector: Collector | undefined;
  await new Promise<void>((resolve, reject) => {
    if (child.stdout === null) throw new Error('no stdout');
    collector = collect(child.stdout, () => resolve());
    void child.then((result) => reject(new Error(`fake GitHub ${name} exited with ${String(result.exitCode)}: ${stderr}`)));
  });
  const { requests, until } = collector as Collector;
  const ip = (await runtime.run(['inspect', name, '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`])).stdout.trim();
  return {
    ip, port: 443, caFile: join(options.certDir, 'ca-cert.pem'), requests, until,
    failMinting: async (fail) => { await runtime.run(['exec', name, ...(fail ? ['touch', FAIL_FLAG] : ['rm', '-f', FAIL_FLAG])]); },
  };
}

/** The same fake GitHub as a child process on 127.0.0.1 (a free port), for tests without containers. */
export async function startLocalFakeGithub(t: Test, options: FakeGithubOptions): Promise<FakeGithub> {
  await writeCertificates(options.certDir, options.names);
  const failFlag = join(options.certDir, 'fail-minting');
  const child = spawn(process.execPath, [SERVER, options.certDir], {
    env: { ...serverEnv(options, failFlag), PORT: '0', LISTEN: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { child.kill(); });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let collector: Collector | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    collector = collect(child.stdout, resolve);
    child.once('exit', (code) => reject(new Error(`fake GitHub exited with ${String(code)}: ${stderr}`)));
  });
  const { requests, until } = collector as Collector;
  return {
    ip: '127.0.0.1', port, caFile: join(options.certDir, 'ca-cert.pem'), requests, until,
    failMinting: async (fail) => { await (fail ? writeFile(failFlag, '') : rm(failFlag, { force: true })); },
  };
}
