import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ContainerRuntime } from '../../src/sandbox/runtime/index.js';

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
