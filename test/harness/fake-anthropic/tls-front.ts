import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { TEST_BASE_IMAGE } from '../podman.js';

const SCRIPT = fileURLToPath(new URL('./tls-front-server.js', import.meta.url));
const CERTS = fileURLToPath(new URL('../fake-upstream/certs', import.meta.url));

/**
 * Starts a TLS front on `network` for a plain-HTTP fake (e.g. the fake
 * Messages API at `target`, `host:port`): it answers as api.anthropic.com
 * with the committed fake-upstream certificate, so the proxy, trusting the
 * test CA (`--upstream-ca FAKE_UPSTREAM_CA`), reaches the fake the way it
 * reaches the real host. Resolves with its address on `network` once it
 * listens; removed at teardown of `t`.
 */
export async function startTlsFront(t: Test, runtime: ContainerRuntime, network: string, name: string, target: string): Promise<string> {
  const child = runtime.spawn([
    'run', '--rm', '--init', '--pull=never', '--name', name, '--network', network,
    '-v', `${process.execPath}:/usr/local/bin/node:ro`,
    '-v', `${SCRIPT}:/front/front.mjs:ro`,
    '-v', `${CERTS}:/certs:ro`,
    '-e', `TARGET=${target}`,
    TEST_BASE_IMAGE, '/usr/local/bin/node', '/front/front.mjs', '/certs',
  ]);
  t.teardown(async () => {
    await runtime.call(['rm', '-f', '-t', '0', name]);
    await child;
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => { if (line === 'ready') resolve(); });
    void child.then((result) => reject(new Error(`TLS front exited with ${String(result.exitCode)}`)));
  });
  return (await runtime.run(['inspect', name, '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`])).stdout.trim();
}
