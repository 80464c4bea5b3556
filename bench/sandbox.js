// Sandbox benchmarks: task start overhead against a bare `podman run`, and
// ensureImage on a warm cache. Needs `npm run provision` (podman, the test
// base image and containers.conf) and `npm run build`.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ContainerRuntime, Sandbox, prefixFilter } from '../dist/sandbox/index.js';

const BASE_IMAGE = process.env.AIRUT_BENCH_BASE_IMAGE ?? 'localhost/airut-test-base:bookworm';
const RUNS = Number(process.env.AIRUT_BENCH_RUNS ?? 15);

function containersConf() {
  if (process.env.CONTAINERS_CONF) return process.env.CONTAINERS_CONF;
  const conf = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'airut-test', 'containers.conf');
  if (!existsSync(conf)) throw new Error(`${conf} is missing: run \`npm run provision\``);
  return conf;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const round = (ms) => Math.round(ms * 10) / 10;

async function time(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs the sandbox suite and returns its figures. */
export async function run() {
  const runtime = new ContainerRuntime({ env: { CONTAINERS_CONF: containersConf() } });
  const prefix = `airut-bench-${randomBytes(3).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const sandbox = new Sandbox({ runtime, resourcePrefix: prefix, stateDir: dir, tmpDir: dir, buildNetwork: 'none' });
  try {
    await sandbox.startup();
    const dockerfile = `FROM ${BASE_IMAGE}\nWORKDIR /workspace\n`;
    const imageTag = await sandbox.ensureImage(dockerfile, {}, { passthrough: true });

    // The warm check is one engine call; its bare cost is measured alongside
    // so the figure can be read on a loaded machine.
    const ensure = [];
    const inspect = [];
    for (let i = 0; i < RUNS; i++) {
      ensure.push(await time(() => sandbox.ensureImage(dockerfile, {}, { passthrough: true })));
      inspect.push(await time(() => runtime.run(['image', 'inspect', '--format', '{{.Created}}', imageTag])));
    }

    const task = sandbox.createCommandTask({ executionContextDir: dir, imageTag, network: 'none' });
    const bareArgs = ['run', '--rm', '--network', 'none', imageTag, 'true'];
    // One warm-up of each, then interleaved runs so drift hits both alike.
    await task.execute(['true']);
    await runtime.run(bareArgs);
    const taskMs = [];
    const bareMs = [];
    for (let i = 0; i < RUNS; i++) {
      taskMs.push(await time(async () => {
        const result = await task.execute(['true']);
        if (result.exitCode !== 0) throw new Error(`CommandTask true exited ${result.exitCode}: ${result.stderr}`);
      }));
      bareMs.push(await time(() => runtime.run(bareArgs)));
    }
    const taskMedian = median(taskMs);
    const bareMedian = median(bareMs);
    return {
      runs: RUNS,
      image: imageTag,
      taskStart: {
        commandTaskMedianMs: round(taskMedian),
        barePodmanRunMedianMs: round(bareMedian),
        ratio: Math.round((taskMedian / bareMedian) * 100) / 100,
        target: 'ratio <= 1.3',
      },
      ensureImageWarm: {
        medianMs: round(median(ensure)),
        barePodmanImageInspectMedianMs: round(median(inspect)),
        target: 'median <= 100 ms',
      },
      loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
    };
  } finally {
    await sandbox.shutdown();
    const images = await runtime.call(['images', '-q', '--filter', prefixFilter(prefix)]);
    const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0) await runtime.call(['rmi', '-f', ...ids]);
    await rm(dir, { recursive: true, force: true });
  }
}
