import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { TEST_BASE_IMAGE } from '../podman.js';

/** One request the git server received, with the credentials that came with it. */
export interface GitHttpRequest {
  method: string;
  url: string;
  host: string | null;
  /** The raw `Authorization` header, or null. */
  authorization: string | null;
  /** Whether its Basic password was the real token. */
  authorized: boolean;
}

/** A running smart-HTTP git server container. */
export interface GitHttpServer {
  name: string;
  /** Its address on the network it was started on. */
  ip: string;
  /** The throw-away CA that signed its certificate (for `upstreamCaFile`). */
  caFile: string;
  /** Every request so far, in order. */
  requests: GitHttpRequest[];
  /** Subjects of the commits on `branch` of `/repo.git`, newest first. */
  log(branch: string): Promise<string[]>;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Writes a throw-away CA and a server certificate for `names` into `dir`
 * (Node refuses a `*.test` wildcard for a two-label name, so the committed
 * fake-upstream certificate cannot serve git.test).
 */
export async function writeCertificates(dir: string, names: readonly string[]): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await execa('openssl', ['req', '-x509', ...ec, '-keyout', join(dir, 'ca-key.pem'), '-out', join(dir, 'ca-cert.pem'), '-days', '2',
    '-subj', '/CN=Airut git test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], { cwd: dir });
  await execa('openssl', ['req', ...ec, '-keyout', join(dir, 'server-key.pem'), '-out', join(dir, 'server.csr'), '-subj', `/CN=${names[0] ?? 'git.test'}`], { cwd: dir });
  await writeFile(join(dir, 'server.ext'), `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
  await execa('openssl', ['x509', '-req', '-in', join(dir, 'server.csr'), '-CA', join(dir, 'ca-cert.pem'), '-CAkey', join(dir, 'ca-key.pem'),
    '-CAcreateserial', '-days', '2', '-extfile', join(dir, 'server.ext'), '-out', join(dir, 'server-cert.pem')], { cwd: dir });
}

/** Where and how to start the git server. */
export interface GitHttpServerOptions {
  /** Container name. */
  name: string;
  /** A network the test created `--internal`. */
  network: string;
  /** The real token every request must carry as Basic password. */
  token: string;
  /** Host names its certificate covers. */
  names: readonly string[];
  /** A temp directory the test removes, for the certificates. */
  certDir: string;
}

/**
 * Starts `git http-backend` behind HTTPS (a certificate for `names` from a
 * throw-away CA, returned as `caFile`) in a container of the test base image.
 * Every request needs Basic auth with the token as password; it serves
 * `/repo.git` with one commit on `main`. Removed at teardown.
 */
export async function startGitHttpServer(t: Test, runtime: ContainerRuntime, options: GitHttpServerOptions): Promise<GitHttpServer> {
  const { name, network, token, certDir } = options;
  await writeCertificates(certDir, options.names);
  const child = runtime.spawn([
    'run', '--rm', '--init', '--pull=never', '--name', name, '--network', network,
    '-v', `${process.execPath}:/usr/local/bin/node:ro`,
    // Mounted as .mjs: the container has no package.json saying "type": "module".
    '-v', `${HERE}server.js:/srv/git-http/server.mjs:ro`,
    '-v', `${certDir}:/certs:ro`,
    '--tmpfs', '/srv/repos',
    '-e', `GIT_TOKEN=${token}`,
    TEST_BASE_IMAGE, '/usr/local/bin/node', '/srv/git-http/server.mjs', '/certs',
  ]);
  t.teardown(async () => {
    await runtime.call(['rm', '-f', '-t', '0', name]);
    await child;
  });
  const requests: GitHttpRequest[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { type: string } & GitHttpRequest;
      if (event.type === 'ready') resolve();
      if (event.type === 'request') requests.push(event);
    });
    void child.then((result) => reject(new Error(`git server ${name} exited with ${String(result.exitCode)}: ${stderr}`)));
  });
  const ip = (await runtime.run(['inspect', name, '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`])).stdout.trim();
  return {
    name,
    ip,
    caFile: join(certDir, 'ca-cert.pem'),
    requests,
    log: async (branch) => (await runtime.run(['exec', name, 'git', '--git-dir', '/srv/repos/repo.git', 'log', '--format=%s', branch])).stdout.split('\n').filter(Boolean),
  };
}
