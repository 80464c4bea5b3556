import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ContainerRuntime, OWNER_LABEL } from '../../src/sandbox/runtime/index.js';

/** The base image `npm run provision` builds with debootstrap. */
export const TEST_BASE_IMAGE = 'localhost/airut-test-base:bookworm';

/** The containers.conf `npm run provision` writes for this machine kind. */
export function testContainersConf(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const conf = join(cache, 'airut-test', 'containers.conf');
  if (!existsSync(conf)) {
    throw new Error(`${conf} is missing: run \`npm run provision\` (as root) to create it and the test base image`);
  }
  return conf;
}

/** A runtime pointed at the test containers.conf. Fails loudly when unprovisioned. */
export function testRuntime(): ContainerRuntime {
  return new ContainerRuntime({ command: 'podman', env: { CONTAINERS_CONF: testContainersConf() } });
}

/**
 * Removes every container and network labelled as owned by process `pid`
 * (task containers, proxies, prepared task networks): what a service killed
 * with SIGKILL leaves for its successor's startup to clean up.
 */
export async function removeOwnedBy(runtime: ContainerRuntime, pid: number | undefined): Promise<void> {
  const owned = `label=${OWNER_LABEL}=${String(pid)}`;
  const containers = await runtime.call(['ps', '-aq', '--filter', owned]);
  for (const id of containers.stdout.split('\n').filter(Boolean)) await runtime.call(['rm', '-f', '-t', '0', id]);
  const networks = await runtime.call(['network', 'ls', '-q', '--filter', owned]);
  for (const id of networks.stdout.split('\n').filter(Boolean)) await runtime.call(['network', 'rm', '-f', id]);
}
