import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listTree, makeCache, startRegistry, tempDir, TestClock } from './setup.js';

const run = promisify(execFile);

void t.test('a channel that exists only on @anthropic-ai/claude-code resolves there and downloads the platform build of its version', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.300');
  registry.publish('2.1.336');
  // The platform package has no stable tag at all, as seen on the real registry.
  registry.distTags.latest = '2.1.336';
  registry.mainDistTags = { latest: '2.1.336', stable: '2.1.300' };
  const dir = await tempDir(t);
  const got = await makeCache(dir, dir, registry).ensure('stable');
  t.same(got, { version: '2.1.300', path: join(dir, '2.1.300', 'claude'), downloaded: true, warnings: [] });
  t.equal((await run(got.path)).stdout, '2.1.300 (Claude Code)\n');
  t.equal(registry.count('main'), 1, 'the channel was read from the main package');
  t.ok(registry.requests.some((r) => r.url === '/tarballs/2.1.300.tgz'), 'the tarball came from the platform package');
});

void t.test('the main package\'s latest wins over the platform package\'s own latest', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.publish('2.1.336');
  registry.distTags.latest = '2.1.336';
  registry.mainDistTags = { latest: '2.1.332', stable: '2.1.332' };
  const dir = await tempDir(t);
  const got = await makeCache(dir, dir, registry).ensure('latest');
  t.equal(got.version, '2.1.332');
  t.same(await listTree(dir), ['2.1.332', '2.1.332/claude', 'resolved.json']);
});

void t.test('a channel the main package does not have fails listing its dist-tags, before any download', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.stable = '2.1.332';
  registry.mainDistTags = { latest: '2.1.332', next: '2.1.332' };
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  await t.rejects(cache.resolve('stable'), {
    code: 'CLAUDE_BIN_UNKNOWN_VERSION',
    message: '@anthropic-ai/claude-code has no "stable" dist-tag',
    hint: /latest -> 2\.1\.332, next -> 2\.1\.332.*newest: 2\.1\.332/,
  });
  await t.rejects(cache.ensure('stable'), { code: 'CLAUDE_BIN_UNKNOWN_VERSION' });
  t.equal(registry.count('tarball'), 0);
  t.same(await listTree(dir), []);
});

void t.test('a channel pointing at a version without a platform build fails naming both, or falls back to the last resolution', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.300');
  registry.publish('2.1.301');
  registry.mainDistTags = { latest: '2.1.400' };
  const dir = await tempDir(t);
  const clock = new TestClock();
  const cache = makeCache(dir, dir, registry, { clock: clock.read, resolutionTtlMs: 1000 });
  await t.rejects(cache.ensure('latest'), {
    code: 'CLAUDE_BIN_UNKNOWN_VERSION',
    message: '@anthropic-ai/claude-code\'s "latest" dist-tag points at 2.1.400, but @anthropic-ai/claude-code-linux-x64 has no usable tarball of it',
    hint: /near it: 2\.1\.300, 2\.1\.301/,
  });
  t.same(await listTree(dir), [], 'nothing was installed');

  registry.mainDistTags.latest = '2.1.300';
  t.equal((await cache.ensure('latest')).version, '2.1.300');
  // A release whose platform builds are not out yet: the run goes on with the last resolution.
  registry.mainDistTags.latest = '2.1.400';
  clock.now += 5000;
  const fallback = await cache.ensure('latest');
  t.equal(fallback.version, '2.1.300');
  t.match(fallback.warnings, [/find a platform build of the latest Claude Code version .*2\.1\.400.*using 2\.1\.300/]);
});

void t.test('resolve names the version without downloading it, and ensure with that answer asks the registry nothing more', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.mainDistTags = { latest: '2.1.332' };
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  const resolution = await cache.resolve('latest');
  t.match(resolution, { request: 'latest', version: '2.1.332', cached: false, warnings: [] });
  t.equal(registry.count('tarball'), 0);
  t.same(await listTree(dir), []);
  const documents = registry.count('packument') + registry.count('main');
  const got = await cache.ensure('latest', { resolution });
  t.equal(got.version, '2.1.332');
  t.equal(registry.count('packument') + registry.count('main'), documents, 'no second metadata request');
  t.equal(registry.count('tarball'), 1);
  // Remembered like any registry answer, so the next run inside the TTL asks nothing.
  t.same(await cache.resolve('latest'), { request: 'latest', version: '2.1.332', cached: true, fromRegistry: false, warnings: [] });
});

void t.test('an exact version that is not published fails at resolve, listing versions near it', async (t) => {
  const registry = await startRegistry(t);
  for (const v of ['2.1.330', '2.1.331', '2.1.332']) registry.publish(v);
  registry.mainDistTags = { latest: '2.1.332' };
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, registry).resolve('2.1.3320'), {
    code: 'CLAUDE_BIN_UNKNOWN_VERSION',
    message: 'Claude Code 2.1.3320 is not published as @anthropic-ai/claude-code-linux-x64',
    hint: /2\.1\.330, 2\.1\.331, 2\.1\.332/,
  });
  t.equal(registry.count('tarball'), 0);
});

void t.test('a main package the registry does not serve is a registry error naming it', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  registry.mainStatus = 404;
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, registry).ensure('latest'), { code: 'CLAUDE_BIN_REGISTRY', message: /@anthropic-ai\/claude-code\b(?!-)/ });
  t.equal(registry.count('tarball'), 0);
});
