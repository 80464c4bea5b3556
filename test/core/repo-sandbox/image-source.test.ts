import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { loadAllowlist, readImageSource } from '../../../src/core/repo-sandbox/index.js';

async function scratch(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-t-imgsrc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

void t.test('the Dockerfile and only the flat files beside it', async (t) => {
  const dir = await scratch(t);
  await writeFile(join(dir, 'Dockerfile'), 'FROM x\n');
  await writeFile(join(dir, 'requirements.txt'), 'a==1\n');
  await mkdir(join(dir, 'nested'));
  await writeFile(join(dir, 'nested', 'secret'), 'no');
  const source = await readImageSource(join(dir, 'Dockerfile'));
  t.equal(Buffer.from(source.dockerfile).toString(), 'FROM x\n');
  t.same(Object.keys(source.contextFiles), ['requirements.txt']);
  const other = await readImageSource(join(dir, 'Dockerfile'), join(dir, 'nested'));
  t.same(Object.keys(other.contextFiles), ['secret'], 'a --context-dir replaces the Dockerfile\'s directory');
});

void t.test('a missing Dockerfile says where it looked and how to create one', async (t) => {
  const dir = await scratch(t);
  await t.rejects(readImageSource(join(dir, '.airut', 'container', 'Dockerfile')), {
    code: 'REPO_SANDBOX_DOCKERFILE_MISSING',
    exitCode: 125,
    message: `Dockerfile not found: ${join(dir, '.airut', 'container', 'Dockerfile')}`,
    hint: /mkdir -p \.airut\/container/,
  });
});

void t.test('allowlist: missing means empty, invalid fails closed', async (t) => {
  const dir = await scratch(t);
  const missing = await loadAllowlist(join(dir, 'network-allowlist.yaml'));
  t.equal(missing.found, false);
  t.equal(missing.allowlist.isEmpty, true);
  await writeFile(join(dir, 'network-allowlist.yaml'), 'domains: [ok.example]\nurl_prefixes:\n  - host: a.example\n    methods: [FETCH]\n');
  await t.rejects(loadAllowlist(join(dir, 'network-allowlist.yaml')), { code: 'ALLOWLIST_INVALID', message: /network-allowlist\.yaml:4:15: url_prefixes\[0\]\.methods\[0\]/ });
});
