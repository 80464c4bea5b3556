import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdir, mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { watchConfigFile, type ConfigWatcher } from '../../../src/core/gateway/index.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A watcher whose callbacks are recorded in order: `change:<hash>`, `same`, `error:<message>`. */
async function watched(t: Test, path: string, knownHash: string, debounceMs = 30) {
  const seen: string[] = [];
  const events = new EventEmitter();
  const record = (entry: string): void => {
    seen.push(entry);
    events.emit('entry');
  };
  const watcher: ConfigWatcher = watchConfigFile({
    path,
    knownHash,
    debounceMs,
    onChange: (hash) => record(`change:${hash}`),
    onUnchanged: () => record('same'),
    onError: (error) => record(`error:${error.message}`),
  });
  t.teardown(() => watcher.close());
  /** Resolves once `n` callbacks in all have run. */
  const until = async (n: number): Promise<string[]> => {
    while (seen.length < n) await once(events, 'entry');
    return seen.slice(0, n);
  };
  // The check made at start settles first: from then on every callback comes from the test's own writes.
  await until(1);
  return { watcher, seen, until };
}

async function dir(t: Test): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'airut-watch-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  return root;
}

t.test('a write in place is seen once, with the new content hash', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'repos: {}\n');
  const w = await watched(t, file, sha('repos: {}\n'));
  t.same(w.seen, ['same'], 'the start check finds the content the caller loaded');
  await writeFile(file, 'repos: {}\n# edited\n');
  t.same(await w.until(2), ['same', `change:${sha('repos: {}\n# edited\n')}`]);
});

t.test('a temporary file renamed over the config is seen; the temporary file alone is not', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'a: 1\n');
  const w = await watched(t, file, sha('a: 1\n'));
  await writeFile(join(root, '.airut.yaml.tmp'), 'a: 2\n');
  await rename(join(root, '.airut.yaml.tmp'), file);
  t.same(await w.until(2), ['same', `change:${sha('a: 2\n')}`]);
  await writeFile(join(root, 'notes.txt'), 'other file\n');
  // A later write of the config is the next callback: nothing ran for notes.txt.
  await writeFile(file, 'a: 3\n');
  t.same(await w.until(3), ['same', `change:${sha('a: 2\n')}`, `change:${sha('a: 3\n')}`]);
});

t.test('a file created after start is seen', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  const w = await watched(t, file, '');
  t.same(w.seen, ['same'], 'no file yet: nothing to load');
  await writeFile(file, 'repos: {}\n');
  t.same(await w.until(2), ['same', `change:${sha('repos: {}\n')}`]);
});

t.test('a missing directory: its nearest ancestor is watched until the directory and the file appear', async (t) => {
  const root = await dir(t);
  const file = join(root, 'config', 'airut', 'airut.yaml');
  const w = await watched(t, file, '');
  t.equal(w.watcher.watching, root);
  await mkdir(join(root, 'config'));
  await mkdir(join(root, 'config', 'airut'));
  await writeFile(file, 'repos: {}\n');
  // The directories' own events may each add a check that finds no file yet.
  while (!w.seen.includes(`change:${sha('repos: {}\n')}`)) await w.until(w.seen.length + 1);
  t.same(w.seen.filter((e) => e.startsWith('change:')), [`change:${sha('repos: {}\n')}`]);
  t.equal(w.watcher.watching, join(root, 'config', 'airut'), 'the watch moved to the config directory');
  t.notOk(w.seen.some((e) => e.startsWith('error:')));
  await writeFile(file, 'repos: {}\n# again\n');
  while (!w.seen.includes(`change:${sha('repos: {}\n# again\n')}`)) await w.until(w.seen.length + 1);
  t.pass('later writes are seen from the config directory');
});

t.test('a burst of writes ends in one change with the final content', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'v: 0\n');
  // A generous quiet time: the five writes below take milliseconds.
  const w = await watched(t, file, sha('v: 0\n'), 1000);
  for (let i = 1; i <= 5; i++) await writeFile(file, `v: ${i}\n`);
  t.same(await w.until(2), ['same', `change:${sha('v: 5\n')}`]);
});

t.test('rewriting the same bytes, or deleting the file, changes nothing', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'same: true\n');
  const w = await watched(t, file, sha('same: true\n'));
  await writeFile(file, 'same: true\n');
  t.same(await w.until(2), ['same', 'same'], 'identical content: no change');
  await unlink(file);
  t.same(await w.until(3), ['same', 'same', 'same'], 'a deleted file keeps the running config');
  await writeFile(file, 'same: true\n');
  t.same(await w.until(4), ['same', 'same', 'same', 'same'], 'recreated with the known content: still no change');
});

t.test('a change made between the caller loading the file and the watch starting is caught at start', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'newer: true\n');
  const w = await watched(t, file, sha('older: true\n'));
  t.same(w.seen, [`change:${sha('newer: true\n')}`]);
});

t.test('ready settles only after the start check, and the reload it started, are over', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'newer: true\n');
  const order: string[] = [];
  let finish: () => void = () => undefined;
  const watcher = watchConfigFile({
    path: file,
    knownHash: sha('older: true\n'),
    debounceMs: 30,
    onChange: async (hash) => {
      order.push(`change:${hash}`);
      await new Promise<void>((resolve) => { finish = resolve; });
      order.push('reload done');
    },
  });
  t.teardown(() => watcher.close());
  const ready = watcher.ready.then(() => order.push('ready'));
  while (order.length === 0) await new Promise((resolve) => setImmediate(resolve));
  t.same(order, [`change:${sha('newer: true\n')}`], 'the start check runs at once, without waiting for the debounce');
  finish();
  await ready;
  t.same(order, [`change:${sha('newer: true\n')}`, 'reload done', 'ready']);
});

t.test('no callback after close', async (t) => {
  const root = await dir(t);
  const file = join(root, 'airut.yaml');
  await writeFile(file, 'x: 1\n');
  const w = await watched(t, file, sha('x: 1\n'));
  w.watcher.close();
  await writeFile(file, 'x: 2\n');
  // A second watcher on the same file sees the write; the closed one stays silent.
  const other = await watched(t, file, sha('x: 1\n'));
  t.same(other.seen, [`change:${sha('x: 2\n')}`]);
  t.same(w.seen, ['same']);
});
