import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaudeBinaryCache, type ClaudeBinaryCacheOptions } from '../../../../src/sandbox/claude/binary/index.js';
import { FakeRegistry } from './fake-registry.js';

/** The slice of tap's Test that the helpers need. */
export interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A fresh temp directory removed when the test ends. */
export async function tempDir(t: Teardown, prefix = 'airut-claude-bin-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A registry stand-in closed when the test ends. */
export async function startRegistry(t: Teardown, packageName?: string): Promise<FakeRegistry> {
  const registry = await FakeRegistry.start(packageName);
  t.teardown(() => registry.close());
  return registry;
}

/** A settable clock for TTL tests. */
export class TestClock {
  now = Date.UTC(2026, 10, 27, 12, 0, 0);
  readonly read = (): number => this.now;
}

/**
 * A cache over a temp dir talking to `registry`, isolated from the real npm
 * config (empty env, a home without .npmrc), pinned to linux x64 glibc.
 */
export function makeCache(cacheDir: string, home: string, registry: FakeRegistry | string, options: Partial<ClaudeBinaryCacheOptions> = {}): ClaudeBinaryCache {
  return new ClaudeBinaryCache({
    cacheDir,
    registryUrl: typeof registry === 'string' ? registry : registry.url,
    env: {},
    homedir: home,
    platform: 'linux',
    arch: 'x64',
    libc: 'glibc',
    retryDelayMs: 0,
    ...options,
  });
}

/** Every path under `dir`, relative, sorted (to assert nothing stray was left). */
export async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return entries.map(String).sort();
}
