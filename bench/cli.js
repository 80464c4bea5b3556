// CLI benchmarks: how long `airut --version` and `airut --help` take against
// `node -e 0`, the peak memory of `airut --version`, and `airut sandbox exec
// -- true` (cold: the first run in a fresh repository and state; warm: the
// runs after it) against a bare `podman run --rm` of the same base image.
// Runs are interleaved with their baseline so drift hits both alike.
// AIRUT_BENCH_PACKAGE_ROOT points at another checkout (built) to compare
// before and after in one harness. Needs `npm run build` and, for the exec
// case, `npm run provision`.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_ROOT = process.env.AIRUT_BENCH_PACKAGE_ROOT ?? ROOT;
const BIN = join(PACKAGE_ROOT, 'bin', 'run.js');
const RUNS = Number(process.env.AIRUT_BENCH_RUNS ?? 10);
const EXEC_RUNS = Number(process.env.AIRUT_BENCH_EXEC_RUNS ?? 5);
const BASE_IMAGE = process.env.AIRUT_BENCH_BASE_IMAGE ?? 'localhost/airut-test-base:bookworm';
const FIXTURE = join(ROOT, 'test', 'fixtures', 'repos', 'basic');

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
const ratio = (a, b) => Math.round((a / b) * 100) / 100;

/** Wall time of one command, in ms; a non-zero exit fails the benchmark. */
async function time(file, args, options = {}) {
  const start = performance.now();
  await execFileAsync(file, args, { maxBuffer: 16 * 1024 * 1024, ...options });
  return performance.now() - start;
}

/** Median wall times of `command` and its baseline, run in turn after one warm-up each. */
async function paired(command, baseline, runs) {
  await command();
  await baseline();
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    a.push(await command());
    b.push(await baseline());
  }
  return { medianMs: round(median(a)), baselineMedianMs: round(median(b)), ratio: ratio(median(a), median(b)) };
}

/** Peak RSS in MB of `node BIN args`, read by GNU time, median of `runs`. */
async function peakRss(args, runs) {
  const peaks = [];
  for (let i = 0; i < runs; i++) {
    const { stderr } = await execFileAsync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...args]);
    peaks.push(Number(stderr.trim().split('\n').at(-1)) / 1024);
  }
  return Math.round(median(peaks) * 10) / 10;
}

async function startupCases() {
  const node = () => time(process.execPath, ['-e', '0']);
  const version = await paired(() => time(process.execPath, [BIN, '--version']), node, RUNS);
  const help = await paired(() => time(process.execPath, [BIN, '--help']), node, RUNS);
  const target = 'medianMs <= 350 or ratio <= 3';
  return {
    version: { ...version, target },
    help: { ...help, target },
    versionPeakRssMb: existsSync('/usr/bin/time') ? await peakRss(['--version'], 5) : 'unmeasured: /usr/bin/time is missing (apt-get install -y time)',
  };
}

async function execCases() {
  const conf = containersConf();
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const id = randomBytes(3).toString('hex');
  const home = await mkdtemp(join(tmpdir(), `airut-bench-cli-${id}-`));
  const egress = `airut-bench-egress-${id}`;
  try {
    const repo = join(home, 'repo');
    await cp(FIXTURE, repo, { recursive: true });
    for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.email=bench@localhost', '-c', 'user.name=bench', 'commit', '-qm', 'bench']]) {
      await execFileAsync('git', args, { cwd: repo });
    }
    // Internal: the proxy's way out leads nowhere, so nothing leaves the machine.
    await execFileAsync('podman', ['network', 'create', '--internal', '--disable-dns', egress], { env });
    const airutEnv = {
      ...env,
      HOME: home,
      XDG_STATE_HOME: join(home, 'state'),
      XDG_CACHE_HOME: join(home, 'cache'),
      XDG_CONFIG_HOME: join(home, 'config'),
      XDG_DATA_HOME: join(home, 'data'),
    };
    const exec = () => time(process.execPath, [BIN, 'sandbox', 'exec', '--egress-network', egress, '--', 'true'], { cwd: repo, env: airutEnv });
    const bare = () => time('podman', ['run', '--rm', BASE_IMAGE, 'true'], { env });
    const coldMs = await exec();
    const bareColdMs = await bare();
    const warm = await paired(exec, bare, EXEC_RUNS);
    return {
      cold: { medianMs: round(coldMs), baselineMs: round(bareColdMs), ratio: ratio(coldMs, bareColdMs), target: 'ratio <= 2.5' },
      warm: { ...warm, target: 'ratio <= 1.5' },
      baseline: `podman run --rm ${BASE_IMAGE} true`,
    };
  } finally {
    await execFileAsync('podman', ['network', 'rm', '-f', egress], { env }).catch(() => undefined);
    await rm(home, { recursive: true, force: true });
  }
}

/** Runs the CLI suite and returns its figures. */
export async function run() {
  return {
    packageRoot: PACKAGE_ROOT,
    runs: RUNS,
    startup: await startupCases(),
    sandboxExec: await execCases(),
    loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
  };
}
