import t from 'tap';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { makePackage, makeTar, sri } from './fake-registry.js';
import { listTree, makeCache, startRegistry, tempDir, TestClock } from './setup.js';

const run = promisify(execFile);

void t.test('an integrity mismatch is rejected and leaves no binary', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332', { integrity: sri(Buffer.from('something else')) });
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const cache = makeCache(join(dir, 'cache'), dir, registry);
  await t.rejects(cache.ensure('2.1.332'), { code: 'CLAUDE_BIN_INTEGRITY', message: /does not match the registry's integrity/ });
  t.same(await listTree(join(dir, 'cache')), [], 'no version dir, no temp file, no lock');
  t.equal(registry.count('tarball'), 1, 'a mismatch is not retried');
});

void t.test('a registry entry without a sha256+ integrity is refused before downloading', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332', { integrity: 'sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, registry).ensure('2.1.332'), { code: 'CLAUDE_BIN_INTEGRITY', message: /no sha256\/384\/512 integrity/ });
  t.equal(registry.count('tarball'), 0);
  t.same(await listTree(dir), []);
});

void t.test('a download cut off mid-body is retried, then rejected, leaving nothing', async (t) => {
  const registry = await startRegistry(t);
  const big = makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(256 * 1024)]));
  registry.publish('2.1.332', { tarball: big, truncateAt: 100_000 });
  const dir = await tempDir(t);
  const cache = makeCache(join(dir, 'cache'), dir, registry, { downloadAttempts: 2 });
  await t.rejects(cache.ensure('2.1.332'), { code: 'CLAUDE_BIN_TRUNCATED' });
  t.equal(registry.count('tarball'), 2, 'two attempts');
  t.same(await listTree(join(dir, 'cache')), []);
});

void t.test('a chunked download cut off mid-body is rejected as truncated', async (t) => {
  const registry = await startRegistry(t);
  const big = makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(256 * 1024)]));
  registry.publish('2.1.332', { tarball: big, truncateAt: 100_000, chunked: true });
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, registry, { downloadAttempts: 1 }).ensure('2.1.332'), { code: 'CLAUDE_BIN_TRUNCATED' });
  t.same(await listTree(dir), []);
});

void t.test('a retry after a cut-off succeeds', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332', { truncateAt: 10 });
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry, {
    downloadAttempts: 2,
    // The pause between attempts is where the registry "recovers".
    sleep: () => {
      registry.publish('2.1.332');
      return Promise.resolve();
    },
  });
  const got = await cache.ensure('2.1.332');
  t.equal(got.downloaded, true);
  t.equal((await run(got.path)).stdout, '2.1.332 (Claude Code)\n');
  t.equal(registry.count('tarball'), 2);
});

void t.test('a tarball without package/claude, or not gzip at all, is an archive error', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('1.0.0', { tarball: gzipSync(makeTar([{ path: 'package/cli.js', body: 'x' }])) });
  registry.publish('1.0.1', { tarball: Buffer.from('<html>proxy login</html>') });
  registry.publish('1.0.2', { tarball: gzipSync(makeTar([{ path: 'package/claude', body: '', type: '2' }])) });
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  await t.rejects(cache.ensure('1.0.0'), { code: 'CLAUDE_BIN_ARCHIVE', message: /no regular file package\/claude/ });
  await t.rejects(cache.ensure('1.0.1'), { code: 'CLAUDE_BIN_ARCHIVE', message: /not a valid gzip/ });
  await t.rejects(cache.ensure('1.0.2'), { code: 'CLAUDE_BIN_ARCHIVE', message: /no regular file/ });
  t.same(await listTree(dir), []);
});

void t.test('an unknown version names the versions around it', async (t) => {
  const registry = await startRegistry(t);
  for (const v of ['2.1.1', '2.1.2', '2.1.3', '2.1.30', '2.1.31', '2.1.32', '2.1.33', '2.1.34', '2.2.0']) registry.publish(v);
  registry.distTags.latest = '2.2.0';
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  await t.rejects(cache.ensure('2.1.320'), {
    code: 'CLAUDE_BIN_UNKNOWN_VERSION',
    message: 'Claude Code 2.1.320 is not published as @anthropic-ai/claude-code-linux-x64',
    hint: 'Versions near it: 2.1.31, 2.1.32, 2.1.33, 2.1.34, 2.2.0; dist-tags: latest -> 2.2.0.',
  });
  await t.rejects(cache.ensure('stable'), { code: 'CLAUDE_BIN_UNKNOWN_VERSION', message: /has no "stable" dist-tag/, hint: /latest -> 2\.2\.0.*newest: 2\.2\.0, 2\.1\.34/ });
  t.equal(registry.count('tarball'), 0);
  t.same(await listTree(dir), []);
});

void t.test('a malformed version request is refused without touching the network', async (t) => {
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, 'http://127.0.0.1:9/');
  for (const bad of ['../../etc', 'v2.1.0', '2.1', 'newest', '2.1.0 ']) {
    await t.rejects(cache.ensure(bad), { code: 'CLAUDE_BIN_INVALID_VERSION' }, JSON.stringify(bad));
  }
});

void t.test('a registry that answers nonsense or an error status is a registry error with a hint', async (t) => {
  const registry = await startRegistry(t, '@anthropic-ai/some-other-package');
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, registry).ensure('latest'), { code: 'CLAUDE_BIN_REGISTRY', httpStatus: 404, hint: /does not have it/ });
});

void t.test('registry down: a remembered latest is used with a warning; without one it fails', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const clock = new TestClock();
  const cache = makeCache(dir, dir, registry, { clock: clock.read });
  await cache.ensure('latest');
  const url = registry.url;
  await registry.close();

  clock.now += 2 * 60 * 60_000;
  const got = await makeCache(dir, dir, url, { clock: clock.read }).ensure('latest');
  t.equal(got.version, '2.1.332');
  t.equal(got.downloaded, false);
  t.equal(got.warnings.length, 1);
  t.match(got.warnings[0], /Could not ask the npm registry for the latest Claude Code version .*using 2\.1\.332, which latest resolved to 120 min ago/);

  const cold = await tempDir(t);
  await t.rejects(makeCache(cold, cold, url, { clock: clock.read }).ensure('latest'), { code: 'CLAUDE_BIN_REGISTRY', message: /Could not reach the npm registry/ });
  t.same(await listTree(cold), []);
});

void t.test('a newer latest whose download breaks off falls back to the installed one and is retried later', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const clock = new TestClock();
  const cache = makeCache(dir, dir, registry, { clock: clock.read, downloadAttempts: 1 });
  await cache.ensure('latest');

  registry.publish('2.1.333', { truncateAt: 10 });
  registry.distTags.latest = '2.1.333';
  clock.now += 2 * 60 * 60_000;
  const got = await cache.ensure('latest');
  t.equal(got.version, '2.1.332');
  t.match(got.warnings, [/Could not download Claude Code 2\.1\.333 as the latest Claude Code version .*using 2\.1\.332/]);
  t.same(await cache.listCached(), ['2.1.332']);

  registry.publish('2.1.333');
  const later = await cache.ensure('latest');
  t.same([later.version, later.downloaded, later.warnings], ['2.1.333', true, []], 'the stale record made the next call ask again');
});

void t.test('a non-Linux host is refused with a typed error', async (t) => {
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, 'http://127.0.0.1:9/', { platform: 'darwin' }).ensure('latest'), { code: 'CLAUDE_BIN_PLATFORM', message: /not "darwin"/ });
  await t.rejects(makeCache(dir, dir, 'http://127.0.0.1:9/', { arch: 'ia32' }).ensure('latest'), { code: 'CLAUDE_BIN_PLATFORM', message: /"ia32"/ });
});
