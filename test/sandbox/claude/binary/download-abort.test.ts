import { randomBytes } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { makePackage, sri } from './fake-registry.js';
import { listTree, makeCache, tempDir } from './setup.js';

const PACKAGE = '@anthropic-ai/claude-code-linux-x64';
const VERSION = '2.1.400';

/**
 * A registry on 127.0.0.1 whose tarball sends its first half and then
 * stalls, so a download stays in flight until it is aborted.
 */
async function stallingRegistry(t: Test): Promise<{ url: string; tarballRequests: () => number }> {
  const tarball = makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(512 * 1024)]));
  let tarballs = 0;
  const open: ServerResponse[] = [];
  const server = createServer((req, res) => {
    if (req.url?.endsWith('.tgz')) {
      tarballs += 1;
      open.push(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': tarball.length });
      res.write(tarball.subarray(0, tarball.length / 2));
      return;
    }
    const versions = { [VERSION]: { name: PACKAGE, version: VERSION, dist: { integrity: sri(tarball), tarball: `${url}tarballs/${VERSION}.tgz` } } };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: PACKAGE, 'dist-tags': { latest: VERSION }, versions }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  t.teardown(() => new Promise<void>((resolve) => {
    for (const res of open) res.destroy();
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url, tarballRequests: () => tarballs };
}

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
  const arriving = firstBytes();
  const a = cache.ensure(VERSION, { signal: first.signal, onProgress: arriving.onProgress });
  const b = cache.ensure(VERSION, { signal: second.signal });
  await arriving.seen;
  first.abort();
  await t.rejects(a, { code: 'CLAUDE_BIN_ABORTED' });
  const tree = await listTree(join(dir, 'cache'));
  t.ok(tree.some((name) => name.includes('.claude-download-')), 'the download goes on for the second caller');
  second.abort();
  await t.rejects(b, { code: 'CLAUDE_BIN_ABORTED' });
  t.equal(registry.tarballRequests(), 1, 'both callers shared one download');
  t.same(await listTree(join(dir, 'cache')), [], 'no version dir, no temp file, no lock');
});

