import t from 'tap';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { listTree, makeCache, startRegistry, tempDir } from './setup.js';

void t.test('prune removes versions not kept; channels keep what they resolved to', async (t) => {
  const registry = await startRegistry(t);
  for (const v of ['2.1.300', '2.1.331', '2.1.332']) registry.publish(v);
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  await cache.ensure('2.1.300');
  await cache.ensure('2.1.331');
  await cache.ensure('latest');
  await mkdir(join(dir, 'not-a-version'));
  t.same(await cache.listCached(), ['2.1.300', '2.1.331', '2.1.332']);

  t.same(await cache.prune(['latest', '2.1.300']), ['2.1.331']);
  t.same(await cache.listCached(), ['2.1.300', '2.1.332']);
  t.same(await cache.prune([]), ['2.1.300', '2.1.332']);
  t.same(await listTree(dir), ['not-a-version', 'resolved.json'], 'unrelated entries stay');
  t.equal(await cache.cached('latest'), undefined, 'a pruned resolution is not served');
});

void t.test('prune leaves a version alone while another process holds its lock', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.300');
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, registry);
  await cache.ensure('2.1.300');
  await writeFile(join(dir, '.2.1.300.lock'), JSON.stringify({ pid: process.pid, host: hostname() }));
  t.same(await cache.prune([]), []);
  t.same(await cache.listCached(), ['2.1.300']);
});

void t.test('prune rejects a malformed keep entry', async (t) => {
  const dir = await tempDir(t);
  await t.rejects(makeCache(dir, dir, 'http://127.0.0.1:9/').prune(['../x']), { code: 'CLAUDE_BIN_INVALID_VERSION', message: /prune keep list/ });
});
