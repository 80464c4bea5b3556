import t from 'tap';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { makePackage } from './fake-registry.js';
import { listTree, makeCache, startRegistry, tempDir } from './setup.js';

const run = promisify(execFile);

void t.test('a full disk during the download is a disk error and leaves nothing behind', async (t) => {
  const registry = await startRegistry(t);
  // Random bytes stay 1 MiB after gzip, far beyond the 256 KiB file system below.
  registry.publish('2.1.332', { tarball: makePackage(Buffer.concat([Buffer.from('#!/bin/sh\n'), randomBytes(1024 * 1024)])) });
  const dir = await tempDir(t);
  const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]).then(
    () => true,
    (err: Error) => err,
  );
  t.equal(mounted, true, 'a small tmpfs must be mountable: run the tests as root (mount -t tmpfs needs CAP_SYS_ADMIN)');
  if (mounted !== true) return;
  t.teardown(() => run('umount', [dir]));

  const cache = makeCache(dir, dir, registry, { downloadAttempts: 3 });
  await t.rejects(cache.ensure('2.1.332'), { code: 'CLAUDE_BIN_DISK', message: /ENOSPC/, hint: /is full/ });
  t.equal(registry.count('tarball'), 1, 'a full disk is not retried');
  t.same(await listTree(dir), [], 'no temp file, no version dir, no lock');
});
