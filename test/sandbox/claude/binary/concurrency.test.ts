import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { EnsureResult } from '../../../../src/sandbox/claude/binary/index.js';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listTree, makeCache, startRegistry, tempDir } from './setup.js';

const run = promisify(execFile);

void t.test('concurrent ensure calls on one cache object download once', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  const results = await Promise.all([cache.ensure('latest'), cache.ensure('latest'), cache.ensure('2.1.332'), cache.ensure('latest')]);
  t.equal(registry.count('tarball'), 1);
  // Channel callers share one metadata request; the exact-version caller may fetch its own inside the lock.
  t.ok(registry.count('packument') <= 2, `metadata requests: ${registry.count('packument')}`);
  t.same(new Set(results.map((r) => r.path)), new Set([join(dir, '2.1.332', 'claude')]));
  t.equal(results.filter((r) => r.downloaded).length, 1);
});

void t.test('two cache objects on one directory download once (lock file)', async (t) => {
  const registry = await startRegistry(t);
  let open!: () => void;
  // Hold the tarball until both callers asked for the metadata, so the second meets the first one's lock.
  registry.publish('2.1.332', { gate: new Promise<void>((resolve) => (open = resolve)) });
  registry.distTags.latest = '2.1.332';
  void registry.packumentRequests(2).then(() => open());
  const dir = await tempDir(t);
  const a = makeCache(dir, dir, registry, { sleep: () => new Promise((resolve) => setImmediate(resolve)) });
  const b = makeCache(dir, dir, registry, { sleep: () => new Promise((resolve) => setImmediate(resolve)) });
  const [ra, rb] = await Promise.all([a.ensure('latest'), b.ensure('latest')]);
  t.equal(registry.count('tarball'), 1);
  t.equal(ra.path, rb.path);
  t.same([ra.downloaded, rb.downloaded].sort(), [false, true]);
  t.same(await listTree(dir), ['2.1.332', '2.1.332/claude', 'resolved.json'], 'lock released and removed');
});

void t.test('two processes on one directory download once', async (t) => {
  const registry = await startRegistry(t);
  let open!: () => void;
  registry.publish('2.1.332', { gate: new Promise<void>((resolve) => (open = resolve)) });
  registry.distTags.latest = '2.1.332';
  void registry.packumentRequests(2).then(() => open());
  const dir = await tempDir(t);
  // The children are TypeScript programs: tsx loads them whatever runs this file.
  const loader = ['--import', 'tsx'];
  const script = fileURLToPath(new URL('./ensure-in-child.ts', import.meta.url));
  const runChild = (): Promise<EnsureResult> =>
    run(process.execPath, [...loader, script, dir, registry.url, 'latest']).then(({ stdout }) => JSON.parse(stdout) as EnsureResult);
  const [ra, rb] = await Promise.all([runChild(), runChild()]);
  t.equal(registry.count('tarball'), 1);
  t.equal(ra.path, rb.path);
  t.same([ra.downloaded, rb.downloaded].sort(), [false, true]);
  t.same(await listTree(dir), ['2.1.332', '2.1.332/claude', 'resolved.json']);
});

void t.test('a lock left by a dead process is taken over', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  const dir = await tempDir(t);
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  await writeFile(join(dir, '.2.1.332.lock'), JSON.stringify({ pid: child.pid, host: hostname() }));
  const got = await makeCache(dir, dir, registry).ensure('2.1.332');
  t.equal(got.downloaded, true);
  t.same(await listTree(dir), ['2.1.332', '2.1.332/claude']);
});

void t.test('a lock untouched for longer than the stale limit is taken over; a fresh live one makes waiters give up in time', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  const dir = await tempDir(t);
  const lock = join(dir, '.2.1.332.lock');
  // Our own pid is alive, so only the age can make this lock stale.
  await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname() }));

  let now = Date.now();
  const waiting = makeCache(dir, dir, registry, { clock: () => now, lockWaitMs: 1000, sleep: () => {
    now += 600;
    return Promise.resolve();
  } });
  await t.rejects(waiting.ensure('2.1.332'), { code: 'CLAUDE_BIN_LOCK', message: new RegExp(`held by pid ${process.pid}`), hint: /remove .*\.2\.1\.332\.lock/ });
  t.equal(registry.count('tarball'), 0);

  const old = new Date(Date.now() - 11 * 60_000);
  await utimes(lock, old, old);
  const got = await makeCache(dir, dir, registry).ensure('2.1.332');
  t.equal(got.downloaded, true);
  t.same(await listTree(dir), ['2.1.332', '2.1.332/claude']);
});
