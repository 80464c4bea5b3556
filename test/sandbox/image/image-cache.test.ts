import type { Test } from 'tap';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ImageCache, type BuildStart } from '../../../src/sandbox/image/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from '../task/test-resources.js';

const runtime = testRuntime();
const DOCKERFILE = `FROM ${TEST_BASE_IMAGE}\nCOPY greeting.txt /greeting.txt\nWORKDIR /workspace\n`;

async function setup(t: Test, options: { maxImageAgeHours?: number; now?: () => number } = {}) {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'img');
  const builds: BuildStart[] = [];
  const cache = new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none', ...options });
  const ensure = (files: Record<string, string>, passthrough = false) =>
    cache.ensureImage(DOCKERFILE, files, { passthrough, onBuildStart: (b) => builds.push(b) });
  return { prefix, dir, cache, builds, ensure, assertNothingLeft };
}

void t.test('a warm cache builds nothing and returns the same tag', async (t) => {
  const { prefix, dir, builds, ensure, assertNothingLeft } = await setup(t);
  const tag = await ensure({ 'greeting.txt': 'hello\n' }, true);
  t.match(tag, new RegExp(`^${prefix}-overlay:[0-9a-f]{64}$`));
  t.same(builds.map((b) => [b.layer, b.reason]), [['repo', 'missing'], ['overlay', 'missing']]);
  builds.length = 0;
  t.equal(await ensure({ 'greeting.txt': 'hello\n' }, true), tag);
  t.same(builds, [], 'second ensure built nothing');
  t.same((await readdir(dir)).filter((n) => n.startsWith('airut-build-')), [], 'build contexts are removed');
  const run = await runtime.run(['run', '--rm', '--network', 'none', tag, 'cat', '/greeting.txt']);
  t.equal(run.stdout, 'hello');
  await assertNothingLeft();
});

void t.test('a changed context file changes the tag; the map order does not', async (t) => {
  const { builds, ensure, assertNothingLeft } = await setup(t);
  const a = await ensure({ 'greeting.txt': 'hello\n', 'b.txt': 'b' });
  const b = await ensure({ 'b.txt': 'b', 'greeting.txt': 'hello\n' });
  t.equal(a, b);
  const c = await ensure({ 'greeting.txt': 'hellO\n', 'b.txt': 'b' });
  t.not(c, a);
  t.equal(builds.filter((x) => x.layer === 'repo').length, 2, 'the changed file built a new repo layer');
  await assertNothingLeft();
});

void t.test('agent and passthrough overlays share the repo layer', async (t) => {
  const { builds, ensure, assertNothingLeft } = await setup(t);
  const agent = await ensure({ 'greeting.txt': 'x' });
  const passthrough = await ensure({ 'greeting.txt': 'x' }, true);
  t.not(agent, passthrough);
  t.same(builds.map((b) => b.layer), ['repo', 'overlay', 'overlay']);
  const run = await runtime.run(['run', '--rm', '--network', 'none', passthrough, 'sh', '-c', 'echo "$IS_SANDBOX"']);
  t.equal(run.stdout, '1', 'the entrypoint exports IS_SANDBOX=1');
  await assertNothingLeft();
});

void t.test('an image older than the limit is rebuilt, and the overlay with it', async (t) => {
  let now = Date.now();
  const { builds, ensure, assertNothingLeft } = await setup(t, { maxImageAgeHours: 1, now: () => now });
  const tag = await ensure({ 'greeting.txt': 'x' });
  const [first] = (await runtime.run(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.split('\n');
  builds.length = 0;
  now += 2 * 3_600_000;
  t.equal(await ensure({ 'greeting.txt': 'x' }), tag);
  t.same(builds.map((b) => [b.layer, b.reason]), [['repo', 'stale'], ['overlay', 'stale']]);
  const [second] = (await runtime.run(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.split('\n');
  t.not(second, first, 'the overlay is a new image');
  await assertNothingLeft();
});

void t.test('a rebuilt repo layer forces the overlay even when the overlay is young', async (t) => {
  const { prefix, dir, builds, ensure, assertNothingLeft } = await setup(t);
  await ensure({ 'greeting.txt': 'x' });
  const repoTag = builds[0]!.tag;
  t.ok(repoTag.startsWith(`${prefix}-repo:`));
  // Another process rebuilt the repo layer (say it was stale) and died before the overlay.
  await writeFile(join(dir, 'Dockerfile'), `FROM ${TEST_BASE_IMAGE}\nRUN echo rebuilt > /rebuilt\n`);
  await runtime.run(['build', '--network', 'none', '-t', repoTag, '--label', `io.airut.prefix=${prefix}`, dir]);
  builds.length = 0;
  await ensure({ 'greeting.txt': 'x' });
  t.same(builds.map((b) => [b.layer, b.reason]), [['overlay', 'older-than-base']]);
  await assertNothingLeft();
});

void t.test('maxImageAgeHours 0 rebuilds on every call', async (t) => {
  const { builds, ensure, assertNothingLeft } = await setup(t, { maxImageAgeHours: 0 });
  await ensure({ 'greeting.txt': 'x' });
  builds.length = 0;
  await ensure({ 'greeting.txt': 'x' });
  t.same(builds.map((b) => [b.layer, b.reason]), [['repo', 'forced'], ['overlay', 'forced']]);
  await assertNothingLeft();
});

void t.test('two concurrent ensureImage calls build once', async (t) => {
  const { builds, ensure, assertNothingLeft } = await setup(t);
  const [a, b] = await Promise.all([ensure({ 'greeting.txt': 'same' }), ensure({ 'greeting.txt': 'same' })]);
  t.equal(a, b);
  t.same(builds.map((x) => x.layer), ['repo', 'overlay']);
  await assertNothingLeft();
});

void t.test('two caches of one prefix (two processes) share the lock file', async (t) => {
  const { prefix, dir, builds, assertNothingLeft } = await setup(t);
  const make = () => new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' });
  const onBuildStart = (b: BuildStart) => builds.push(b);
  await Promise.all([make(), make()].map((c) => c.ensureImage(DOCKERFILE, { 'greeting.txt': 'two' }, { onBuildStart })));
  t.same(builds.map((x) => x.layer), ['repo', 'overlay']);
  t.same((await readdir(dir)).filter((n) => n.endsWith('.lock')), [], 'the lock file is gone');
  await assertNothingLeft();
});

void t.test('build output is streamed and a failure carries the log tail', async (t) => {
  const { prefix, dir, assertNothingLeft } = await setup(t);
  const cache = new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' });
  const lines: string[] = [];
  const failing = `FROM ${TEST_BASE_IMAGE}\nRUN echo marker-before-failure && exit 3\n`;
  const error = await cache.ensureImage(failing, {}, { onBuildOutput: (l) => lines.push(l) }).catch((e: unknown) => e);
  t.match(error, { code: 'IMAGE_BUILD_FAILED', name: 'ImageBuildError' });
  t.match((error as { logTail: string }).logTail, /marker-before-failure/);
  t.ok(lines.some((l) => l.includes('marker-before-failure')), 'output reached the callback');
  t.notOk(lines.some((l) => l.includes('\n')), 'lines come without newlines');
  t.same((await readdir(dir)).filter((n) => n.startsWith('airut-build-')), [], 'build context removed after a failure');
  await assertNothingLeft();
});

void t.test('bad input is a typed error before anything runs', async (t) => {
  const { prefix, dir, assertNothingLeft } = await setup(t);
  const cache = new ImageCache({ runtime, prefix, lockDir: dir });
  for (const name of ['', '.', '..', 'a/b', '../x', 'a\\b', 'Dockerfile']) {
    await t.rejects(cache.ensureImage(DOCKERFILE, { [name]: 'x' }), { code: 'IMAGE_CONTEXT_NAME_INVALID' }, `name ${JSON.stringify(name)}`);
  }
  await t.rejects(cache.ensureImage('', {}), { code: 'IMAGE_DOCKERFILE_MISSING' });
  t.throws(() => new ImageCache({ runtime, prefix, lockDir: dir, maxImageAgeHours: -1 }), { code: 'IMAGE_MAX_AGE_INVALID' });
  t.same(await readdir(join(dir)), [], 'nothing was written');
  await assertNothingLeft();
});

void t.test('pruneImages removes stale images of this prefix only', async (t) => {
  let now = Date.now();
  const { prefix, dir, ensure, assertNothingLeft } = await setup(t, { maxImageAgeHours: 1, now: () => now });
  const tag = await ensure({ 'greeting.txt': 'p' });
  // Somebody else's dangling image (built without Airut's label, then untagged): a prune must leave it alone.
  const foreignTag = `localhost/${prefix}-foreign:x`;
  const foreignContext = await mkdtemp(join(tmpdir(), 'airut-foreign-'));
  t.teardown(() => rm(foreignContext, { recursive: true, force: true }));
  await writeFile(join(foreignContext, 'Dockerfile'), `FROM ${TEST_BASE_IMAGE}\nLABEL purpose=foreign\n`);
  const foreign = (await runtime.run(['build', '-q', '--network', 'none', '-t', foreignTag, foreignContext])).stdout.trim().split('\n').at(-1) ?? '';
  await runtime.run(['untag', foreign]);
  t.teardown(() => runtime.call(['rmi', '-f', foreign]));
  const cache = new ImageCache({ runtime, prefix, lockDir: dir, maxImageAgeHours: 1, now: () => now });
  t.equal(await cache.pruneImages(), 0, 'fresh images are kept');
  now += 2 * 3_600_000;
  t.equal(await cache.pruneImages(), 2, 'repo and overlay removed');
  t.equal((await runtime.call(['image', 'exists', tag])).exitCode, 1);
  t.equal((await runtime.call(['image', 'exists', TEST_BASE_IMAGE])).exitCode, 0, 'other images untouched');
  t.equal((await runtime.call(['image', 'exists', foreign])).exitCode, 0, 'a dangling image of somebody else is kept');
  await assertNothingLeft();
});
