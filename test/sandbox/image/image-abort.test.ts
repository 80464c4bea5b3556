import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { execa } from 'execa';
import t from 'tap';
import { ImageCache } from '../../../src/sandbox/image/index.js';
import { prefixFilter } from '../../../src/sandbox/runtime/index.js';
import { TEST_BASE_IMAGE, testRuntime } from '../../harness/podman.js';
import { testResources } from '../task/test-resources.js';

const runtime = testRuntime();

/** A Dockerfile whose RUN step prints the working container's id, then sleeps far past any test. */
function slowDockerfile(marker: string): string {
  return `FROM ${TEST_BASE_IMAGE}\nRUN echo "${marker}-$(hostname)" && sleep 600\n`;
}

/** Resolves with the working container id once the slow RUN step runs. */
function stepStarted(marker: string): { onBuildOutput: (line: string) => void; started: Promise<string> } {
  let resolve!: (id: string) => void;
  const started = new Promise<string>((r) => { resolve = r; });
  return {
    started,
    onBuildOutput: (line) => {
      if (line.startsWith(`${marker}-`)) resolve(line.slice(marker.length + 1).trim());
    },
  };
}

async function processesMatching(pattern: string): Promise<string> {
  const result = await execa('pgrep', ['-af', pattern], { reject: false });
  return result.stdout.trim();
}

void t.test('aborting a build kills its RUN step and leaves no process, container, context, image or lock', async (t) => {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'abort');
  const cache = new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' });
  const marker = `abort-${randomBytes(4).toString('hex')}`;
  const step = stepStarted(marker);
  const controller = new AbortController();
  const ensured = cache.ensureImage(slowDockerfile(marker), {}, { onBuildOutput: step.onBuildOutput, signal: controller.signal });
  const containerId = await step.started;
  t.match(containerId, /^[0-9a-f]{12}$/, 'the RUN step reports its working container');
  t.not(await processesMatching(marker), '', 'the RUN step is running before the abort');

  controller.abort();
  await t.rejects(ensured, { code: 'IMAGE_BUILD_ABORTED', exitCode: 130 });

  t.equal(await processesMatching(marker), '', 'no RUN step process is left');
  t.equal(await processesMatching(`build -t ${prefix}-`), '', 'no podman build is left');
  const external = await runtime.run(['ps', '-a', '--external', '--format', '{{.ID}}']);
  t.notOk(external.stdout.split('\n').some((id) => id.startsWith(containerId)), 'the working container is removed');
  t.same((await readdir(dir)).filter((name) => name.startsWith('airut-build-')), [], 'the build context is removed');
  const images = await runtime.run(['images', '--filter', prefixFilter(prefix), '--format', '{{.Repository}}:{{.Tag}}']);
  t.equal(images.stdout.trim(), '', 'no image carries the prefix');

  // The lock is free: a build of a quick image goes through.
  const tag = await cache.ensureImage(`FROM ${TEST_BASE_IMAGE}\nRUN true\n`, {}, { passthrough: true });
  t.match(tag, new RegExp(`^${prefix}-overlay:`));
  await assertNothingLeft();
});

void t.test('a caller waiting for the build lock leaves at the abort; a signal aborted beforehand builds nothing', async (t) => {
  const { prefix, dir, assertNothingLeft } = await testResources(t, runtime, 'abortwait');
  const cache = new ImageCache({ runtime, prefix, lockDir: dir, tmpDir: dir, buildNetwork: 'none' });
  const marker = `abortwait-${randomBytes(4).toString('hex')}`;
  const step = stepStarted(marker);
  const first = new AbortController();
  const building = cache.ensureImage(slowDockerfile(marker), {}, { onBuildOutput: step.onBuildOutput, signal: first.signal });
  await step.started;

  const second = new AbortController();
  const starts: string[] = [];
  const waiting = cache.ensureImage(`FROM ${TEST_BASE_IMAGE}\nRUN true\n`, {}, { signal: second.signal, onBuildStart: (b) => starts.push(b.tag) });
  second.abort();
  await t.rejects(waiting, { code: 'IMAGE_BUILD_ABORTED' });
  t.same(starts, [], 'the waiting caller built nothing');
  t.not(await processesMatching(marker), '', 'the first build still runs');

  await t.rejects(cache.ensureImage('FROM x\n', {}, { signal: AbortSignal.abort() }), { code: 'IMAGE_BUILD_ABORTED' });

  first.abort();
  await t.rejects(building, { code: 'IMAGE_BUILD_ABORTED' });
  t.equal(await processesMatching(marker), '', 'no RUN step process is left');
  await assertNothingLeft();
});
