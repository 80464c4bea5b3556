import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { acquireFileLock, tryFileLock, type FileLockOptions } from '../../../src/sandbox/lock/file-lock.js';

class Timeout extends Error {}
class Disk extends Error {}

function options(overrides: Partial<FileLockOptions> = {}): FileLockOptions {
  return {
    clock: Date.now,
    sleep: (ms) => delay(ms),
    staleMs: 60_000,
    waitMs: 5_000,
    timeoutError: (path, holder) => new Timeout(`${path} held by ${holder?.pid ?? 'nobody'}`),
    diskError: (error, path) => new Disk(`${path}: ${(error as Error).message}`),
    ...overrides,
  };
}

async function dir(t: Test): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'airut-lock-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

t.test('the file names its holder; a second taker waits until the first releases', async (t) => {
  const path = join(await dir(t), 'x.lock');
  const first = await acquireFileLock(path, options());
  t.same(JSON.parse(await readFile(path, 'utf8')), { pid: process.pid, host: hostname() });
  t.equal(await tryFileLock(path, options()), undefined, 'held by a live process: not taken');
  const order: string[] = [];
  const second = acquireFileLock(path, options()).then((lock) => { order.push('second'); return lock; });
  await delay(50);
  order.push('release');
  await first.release();
  const lock = await second;
  t.same(order, ['release', 'second']);
  await lock.release();
  await lock.release();
  await t.rejects(readFile(path), { code: 'ENOENT' }, 'released: the file is gone');
});

t.test('a lock of a dead process on this host is taken over', async (t) => {
  const path = join(await dir(t), 'x.lock');
  await writeFile(path, JSON.stringify({ pid: 4242, host: hostname() }));
  const lock = await tryFileLock(path, options({ isAlive: (pid) => pid !== 4242 }));
  t.ok(lock, 'taken over');
  t.equal(JSON.parse(await readFile(path, 'utf8')).pid, process.pid);
  await lock?.release();
});

t.test('a lock of another host is judged by age only', async (t) => {
  const path = join(await dir(t), 'x.lock');
  await writeFile(path, JSON.stringify({ pid: 4242, host: 'elsewhere.invalid' }));
  t.equal(await tryFileLock(path, options({ isAlive: () => false })), undefined, 'fresh: kept');
  const old = new Date(Date.now() - 120_000);
  await utimes(path, old, old);
  const lock = await tryFileLock(path, options({ isAlive: () => false }));
  t.ok(lock, 'untouched for longer than staleMs: taken over');
  await lock?.release();
});

t.test('waiting longer than waitMs throws the caller\'s error naming the holder', async (t) => {
  const path = join(await dir(t), 'x.lock');
  await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname() }));
  const error = await acquireFileLock(path, options({ waitMs: 100 })).catch((e: unknown) => e);
  t.type(error, Timeout);
  t.match((error as Error).message, `held by ${process.pid}`);
});

t.test('a lock path that cannot be created is the caller\'s disk error', async (t) => {
  const notADir = join(await dir(t), 'file');
  await writeFile(notADir, '');
  const error = await acquireFileLock(join(notADir, 'x.lock'), options()).catch((e: unknown) => e);
  t.type(error, Disk);
  t.match((error as Error).message, /ENOTDIR/);
});
