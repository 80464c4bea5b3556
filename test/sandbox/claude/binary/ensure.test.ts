import t from 'tap';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makePackage } from './fake-registry.js';
import { listTree, makeCache, startRegistry, tempDir, TestClock } from './setup.js';

const run = promisify(execFile);

void t.test('latest resolves through the dist-tag, installs an executable binary, and remembers the resolution', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.300');
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const clock = new TestClock();
  const cache = makeCache(join(dir, 'cache'), dir, registry, { clock: clock.read });

  const got = await cache.ensure('latest');
  t.same(got, { version: '2.1.332', path: join(dir, 'cache', '2.1.332', 'claude'), downloaded: true, warnings: [] });
  t.equal((await stat(got.path)).mode & 0o777, 0o755);
  t.equal((await run(got.path, ['--version'])).stdout, '2.1.332 (Claude Code)\n');
  t.same(await listTree(join(dir, 'cache')), ['2.1.332', '2.1.332/claude', 'resolved.json']);
  t.equal(registry.count('tarball'), 1);
  t.ok(registry.requests.some((r) => r.url === '/@anthropic-ai%2fclaude-code-linux-x64'), 'asks for the linux-x64 package with the scope slash encoded');
});

void t.test('within the TTL latest makes no request; after it, a new latest is picked up', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const clock = new TestClock();
  const cache = makeCache(dir, dir, registry, { clock: clock.read, resolutionTtlMs: 60_000 });
  await cache.ensure('latest');
  const before = registry.requests.length;

  clock.now += 59_000;
  t.same(await cache.ensure('latest'), { version: '2.1.332', path: join(dir, '2.1.332', 'claude'), downloaded: false, warnings: [] });
  t.equal(registry.requests.length, before, 'no network call within the TTL');

  registry.publish('2.1.333');
  registry.distTags.latest = '2.1.333';
  clock.now += 2_000;
  const next = await cache.ensure('latest');
  t.equal(next.version, '2.1.333');
  t.equal(next.downloaded, true);
  t.same(await cache.listCached(), ['2.1.332', '2.1.333']);
});

void t.test('a second cache object sees the first one\'s resolution on disk', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const clock = new TestClock();
  await makeCache(dir, dir, registry, { clock: clock.read }).ensure('latest');
  const before = registry.requests.length;
  const again = await makeCache(dir, dir, registry, { clock: clock.read }).ensure('latest');
  t.equal(again.version, '2.1.332');
  t.equal(registry.requests.length, before);
});

void t.test('stable resolves through its own dist-tag', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.300');
  registry.publish('2.1.332');
  Object.assign(registry.distTags, { latest: '2.1.332', stable: '2.1.300' });
  const dir = await tempDir(t);
  const got = await makeCache(dir, dir, registry).ensure('stable');
  t.equal(got.version, '2.1.300');
  t.equal((await run(got.path)).stdout, '2.1.300 (Claude Code)\n');
});

void t.test('an exact version downloads once and afterwards makes no network call at all', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.300');
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  t.equal((await cache.ensure('2.1.300')).downloaded, true);
  const before = registry.requests.length;
  await registry.close();
  t.same(await cache.ensure('2.1.300'), { version: '2.1.300', path: join(dir, '2.1.300', 'claude'), downloaded: false, warnings: [] });
  t.equal(registry.requests.length, before);
  t.same(await cache.cached('2.1.300'), { version: '2.1.300', path: join(dir, '2.1.300', 'claude') });
  t.equal(await cache.cached('2.1.332'), undefined);
  t.equal(await cache.cached('latest'), undefined, 'nothing resolved latest yet');
});

void t.test('progress reports increasing byte counts up to the tarball size', async (t) => {
  const registry = await startRegistry(t);
  // Random bytes do not compress, so the tarball spans many reads.
  const tarball = registry.publish('2.1.332', { tarball: makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(1024 * 1024)])) });
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const seen: Array<[number, number | undefined]> = [];
  await makeCache(dir, dir, registry).ensure('latest', { onProgress: (bytes, total) => seen.push([bytes, total]) });
  t.ok(seen.length > 1, `several progress calls (${seen.length})`);
  t.ok(seen.every(([, total]) => total === tarball.length), 'every call carries the total');
  t.ok(seen.every(([bytes], i) => i === 0 || bytes > (seen[i - 1]?.[0] ?? 0)), 'bytes increase');
  t.equal(seen.at(-1)?.[0], tarball.length);
});

void t.test('two callers sharing one download both get its progress, to the last byte', async (t) => {
  const registry = await startRegistry(t);
  const tarball = registry.publish('2.1.332', { tarball: makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(1024 * 1024)])) });
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  const resolution = await cache.resolve('2.1.332');
  const seenA: number[] = [];
  const seenB: number[] = [];
  const [a, b] = await Promise.all([
    cache.ensure('2.1.332', { resolution, onProgress: (bytes) => seenA.push(bytes) }),
    cache.ensure('2.1.332', { resolution, onProgress: (bytes) => seenB.push(bytes) }),
  ]);
  t.equal(registry.count('tarball'), 1, 'one download');
  t.same([a.downloaded, b.downloaded].sort(), [false, true], 'one caller downloaded, the other joined');
  t.equal(seenA.at(-1), tarball.length, 'the first caller saw the last byte');
  t.equal(seenB.at(-1), tarball.length, 'the second caller saw the last byte');
});

void t.test('a chunked response without Content-Length installs too, progress has no total', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332', { chunked: true });
  const dir = await tempDir(t);
  const totals = new Set<number | undefined>();
  const got = await makeCache(dir, dir, registry).ensure('2.1.332', { onProgress: (_bytes, total) => totals.add(total) });
  t.equal(got.downloaded, true);
  t.same([...totals], [undefined]);
});

void t.test('musl and arm64 hosts ask for their own platform package', async (t) => {
  for (const [arch, libc, name] of [
    ['x64', 'musl', '@anthropic-ai/claude-code-linux-x64-musl'],
    ['arm64', 'glibc', '@anthropic-ai/claude-code-linux-arm64'],
    ['arm64', 'musl', '@anthropic-ai/claude-code-linux-arm64-musl'],
  ] as const) {
    const registry = await startRegistry(t, name);
    registry.publish('2.1.332');
    registry.distTags.latest = '2.1.332';
    const dir = await tempDir(t);
    const got = await makeCache(dir, dir, registry, { arch, libc }).ensure('latest');
    t.equal(got.version, '2.1.332', name);
    t.ok(registry.requests.some((r) => r.url === `/${name.replace('/', '%2f')}`), `asks for ${name}`);
  }
});
