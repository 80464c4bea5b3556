import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { prefixFilter } from '../../../src/sandbox/runtime/index.js';

/** What {@link testResources} hands a test. */
export interface TestResources {
  /** A resource prefix no other test uses. */
  prefix: string;
  /** A temp dir, removed at teardown. */
  dir: string;
  /** Asserts that no container or network of the prefix exists. Call at the end of the test. */
  assertNothingLeft: () => Promise<void>;
}

/**
 * A resource prefix of its own for one test, a temp dir, and cleanup at
 * teardown of everything carrying the prefix (containers, networks, images).
 */
export async function testResources(t: Test, runtime: ContainerRuntime, name: string): Promise<TestResources> {
  const prefix = `airut-t-${name}-${randomBytes(3).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const list = async (): Promise<{ containers: string; networks: string }> => ({
    containers: (await runtime.run(['ps', '-a', '--filter', `name=${prefix}`, '--format', '{{.Names}}'])).stdout.trim(),
    networks: (await runtime.run(['network', 'ls', '--filter', `name=${prefix}`, '--format', '{{.Name}}'])).stdout.trim(),
  });
  t.teardown(async () => {
    const left = await list();
    if (left.containers) await runtime.call(['rm', '-f', '-t', '0', ...left.containers.split('\n')]);
    if (left.networks) await runtime.call(['network', 'rm', '-f', ...left.networks.split('\n')]);
    const images = await runtime.run(['images', '-q', '--filter', prefixFilter(prefix)]);
    const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0) await runtime.call(['rmi', '-f', ...ids]);
    await rm(dir, { recursive: true, force: true });
  });
  return {
    prefix,
    dir,
    assertNothingLeft: async () => {
      t.same(await list(), { containers: '', networks: '' }, `no container or network named ${prefix}* is left`);
    },
  };
}
