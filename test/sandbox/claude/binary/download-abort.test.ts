import { join } from 'node:path';
import t from 'tap';
import { listTree, makeCache, tempDir } from './setup.js';
import { STALLING_VERSION as VERSION, stallingRegistry } from './stalling-registry.js';

/** An onProgress callback and a promise settled when it first reports bytes. */
function firstBytes(): { onProgress: (bytes: number) => void; seen: Promise<void> } {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => { resolve = r; });
  return { seen, onProgress: (bytes) => { if (bytes > 0) resolve(); } };
}

void t.test('aborting a download mid-body rejects with CLAUDE_BIN_ABORTED, removes the temp file and is not retried', async (t) => {
  const registry = await stallingRegistry(t);
  const dir = await tempDir(t);
  const cache = makeCache(join(dir, 'cache'), dir, registry.url, { downloadAttempts: 3 });
  const controller = new AbortController();
  const arriving = firstBytes();
  const ensured = cache.ensure(VERSION, { signal: controller.signal, onProgress: arriving.onProgress });
  await arriving.seen;
  controller.abort();
  await t.rejects(ensured, { code: 'CLAUDE_BIN_ABORTED', exitCode: 1 });
  t.equal(registry.tarballRequests(), 1, 'an abort is not retried');
  t.same(await listTree(join(dir, 'cache')), [], 'no version dir, no temp file, no lock');
});

void t.test('a download another caller still waits for goes on when one caller aborts', async (t) => {
  const registry = await stallingRegistry(t);
  const dir = await tempDir(t);
  const cache = makeCache(join(dir, 'cache'), dir, registry.url);
  const first = new AbortController();
  const second = new AbortController();
  const firstSees = firstBytes();
  const secondSees = firstBytes();
  // Resolved up front, so both callers reach the shared download at once.
  // Which of them starts it is up to the file system; both get its progress.
  const resolution = await cache.resolve(VERSION);
  const a = cache.ensure(VERSION, { signal: first.signal, onProgress: firstSees.onProgress, resolution });
  const b = cache.ensure(VERSION, { signal: second.signal, onProgress: secondSees.onProgress, resolution });
  await Promise.all([firstSees.seen, secondSees.seen]);
  first.abort();
  await t.rejects(a, { code: 'CLAUDE_BIN_ABORTED' });
  const tree = await listTree(join(dir, 'cache'));
  t.ok(tree.some((name) => name.includes('.claude-download-')), 'the download goes on for the second caller');
  second.abort();
  await t.rejects(b, { code: 'CLAUDE_BIN_ABORTED' });
  t.equal(registry.tarballRequests(), 1, 'both callers shared one download');
  t.same(await listTree(join(dir, 'cache')), [], 'no version dir, no temp file, no lock');
});

void t.test('an abort while the version is still being resolved ends the call instead of waiting for the download', async (t) => {
  const registry = await stallingRegistry(t);
  const dir = await tempDir(t);
  const cache = makeCache(join(dir, 'cache'), dir, registry.url);
  const controller = new AbortController();
  const ensured = cache.ensure(VERSION, { signal: controller.signal });
  // ensure() is now awaiting the registry's answer for the version.
  controller.abort();
  await t.rejects(ensured, { code: 'CLAUDE_BIN_ABORTED' });
  t.same(await listTree(join(dir, 'cache')), [], 'no version dir, no temp file, no lock');
});
