import t from 'tap';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLAUDE_BINARY_ERROR_CODES, resolveClaudeBinary } from '../../../../src/sandbox/claude/binary/index.js';
import { makeCache, startRegistry, tempDir } from './setup.js';

void t.test('an explicit executable path is used as is, without the cache', async (t) => {
  const dir = await tempDir(t);
  const explicitPath = join(dir, 'my-claude');
  await writeFile(explicitPath, '#!/bin/sh\n');
  await chmod(explicitPath, 0o755);
  // The registry URL points nowhere: any network use would fail the call.
  const cache = makeCache(join(dir, 'cache'), dir, 'http://127.0.0.1:9/');
  t.same(await resolveClaudeBinary({ explicitPath, version: 'latest', cache }), { path: explicitPath, version: undefined, warnings: [] });
});

void t.test('a missing, non-executable or directory explicit path is a typed error naming its source', async (t) => {
  const dir = await tempDir(t);
  const cache = makeCache(dir, dir, 'http://127.0.0.1:9/');
  const plain = join(dir, 'plain');
  await writeFile(plain, 'x');
  await chmod(plain, 0o644);
  await mkdir(join(dir, 'a-dir'));
  const source = 'repos.demo.claude_binary';
  await t.rejects(resolveClaudeBinary({ explicitPath: join(dir, 'nope'), explicitPathSource: source, version: 'latest', cache }), {
    code: 'CLAUDE_BIN_EXPLICIT_PATH', message: /nope \(from repos\.demo\.claude_binary\) is not usable/,
  });
  await t.rejects(resolveClaudeBinary({ explicitPath: join(dir, 'a-dir'), explicitPathSource: source, version: 'latest', cache }), {
    code: 'CLAUDE_BIN_EXPLICIT_PATH', message: /is not a regular file/,
  });
  // Root may execute nothing without an x bit either, so this holds for every user.
  await t.rejects(resolveClaudeBinary({ explicitPath: plain, version: 'latest', cache }), { code: 'CLAUDE_BIN_EXPLICIT_PATH' });
});

void t.test('without an explicit path the cache provides the version', async (t) => {
  const registry = await startRegistry(t);
  registry.publish('2.1.332');
  registry.distTags.latest = '2.1.332';
  const dir = await tempDir(t);
  const progress: number[] = [];
  const got = await resolveClaudeBinary({ version: 'latest', cache: makeCache(dir, dir, registry), onProgress: (bytes) => progress.push(bytes) });
  t.same(got, { path: join(dir, '2.1.332', 'claude'), version: '2.1.332', warnings: [] });
  t.ok(progress.length > 0);
});

void t.test('error codes are unique and carry the area prefix', (t) => {
  t.equal(new Set(CLAUDE_BINARY_ERROR_CODES).size, CLAUDE_BINARY_ERROR_CODES.length);
  t.ok(CLAUDE_BINARY_ERROR_CODES.every((code) => /^CLAUDE_BIN_[A-Z_]+$/.test(code)));
  t.end();
});
