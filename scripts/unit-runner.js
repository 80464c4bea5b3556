// Runs tap test files as plain node processes, a few at a time, and sums
// their TAP streams.
//
// Why not the tap runner: tap starts every test file with its TypeScript
// loader (ts-node), which costs seconds of CPU per file before the first test
// runs; with 150 unit files that alone is minutes on a 2-core machine. A tap
// test file is a program that prints TAP on its own, so the unit tier
// transpiles the sources and tests once (`unit-tree.js`: esbuild, no type
// check, which `npm run typecheck` does), runs each file on plain node and
// parses the output with tap's own parser. `npm test` keeps running everything
// through tap.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Parser } from 'tap-parser';
import { buildUnitTree, treePath } from './unit-tree.js';

/** Per-file timeout, as `.taprc`'s (seconds). */
const TIMEOUT_S = 600;

/** How long each file took last time (seconds by path), in tap's own state folder (git-ignored). */
const DURATIONS = join('.tap', 'unit-durations.json');

/** The durations of the last run, or none when there was none (or the file is unreadable). */
function readDurations(root) {
  try {
    const parsed = JSON.parse(readFileSync(join(root, DURATIONS), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * `files`, the longest first by the last run's durations; a file with none
 * (new, or never run) counts as the longest. With a few files at a time, a
 * long file started last would run on alone at the end while the other
 * workers sit idle.
 */
function longestFirst(files, durations) {
  const seconds = (file) => (typeof durations[file] === 'number' ? durations[file] : Number.POSITIVE_INFINITY);
  return [...files].sort((a, b) => seconds(b) - seconds(a) || a.localeCompare(b));
}

/** Records the durations of `results` over the last run's, for the next run's order. */
function writeDurations(root, durations, results) {
  const next = { ...durations };
  for (const { file, seconds } of results) next[file] = seconds;
  try {
    mkdirSync(dirname(join(root, DURATIONS)), { recursive: true });
    writeFileSync(join(root, DURATIONS), `${JSON.stringify(next, null, 1)}\n`);
  } catch {
    // Only the order of the next run depends on it.
  }
}

/**
 * Counts the test points of one TAP stream as tap's own summary does: every
 * assertion at any depth, while a subtest's own `ok`/`not ok` line counts only
 * when it failed with no failing point inside (a timeout, a wrong plan, a
 * throw).
 * @returns {{ parser: Parser, counts: { total: number, pass: number, fail: number, skip: number, todo: number } }}
 */
function countingParser() {
  const counts = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
  const watch = (parser) => {
    /** Failures counted inside the subtest whose summary line comes next. */
    let subtest;
    parser.on('child', (child) => {
      const before = counts.fail;
      subtest = { done: () => counts.fail > before };
      watch(child);
    });
    parser.on('assert', (point) => {
      const summary = subtest;
      subtest = undefined;
      if (summary !== undefined && (point.ok || summary.done())) return;
      counts.total += 1;
      if (point.todo) counts.todo += 1;
      else if (point.skip) counts.skip += 1;
      else if (point.ok) counts.pass += 1;
      else counts.fail += 1;
    });
  };
  const parser = new Parser();
  watch(parser);
  return { parser, counts };
}

/** Runs one test file; resolves with its counts, exit status and whole output. */
function runFile(root, tree, file, env) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', treePath(root, tree, file)], {
      cwd: root,
      env: { ...env, TAP_TIMEOUT: String(TIMEOUT_S) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { parser, counts } = countingParser();
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { output += chunk; parser.write(chunk); });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const killer = setTimeout(() => { child.kill('SIGKILL'); }, (TIMEOUT_S + 30) * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      parser.end();
      resolve({ file, counts, code, signal, output, ok: parser.ok && code === 0, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/**
 * Runs `files` (paths relative to `root`) `jobs` at a time and prints a
 * failed file's whole output, a line per slow file, and tap's summary line
 * `# { total: N, pass: N, fail: N }`.
 * @returns {Promise<number>} the exit status: 0 when every file passed.
 */
export async function runUnitFiles(root, files, env, { jobs = availableParallelism(), out = process.stdout } = {}) {
  const started = Date.now();
  const tree = await buildUnitTree(root);
  try {
    return await runAll(root, tree, files, env, { jobs, out, started });
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

async function runAll(root, tree, files, env, { jobs, out, started }) {
  const durations = readDurations(root);
  const queue = longestFirst(files, durations);
  const results = [];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const result = await runFile(root, tree, file, env);
      results.push(result);
      if (!result.ok) {
        out.write(`\nnot ok ${file} (exit ${result.code ?? result.signal})\n${result.output}\n`);
        // A file that dies without failing a point still counts as one failure.
        if (result.counts.fail === 0) result.counts.fail = 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  writeDurations(root, durations, results);
  const total = { total: 0, pass: 0, fail: 0, skip: 0, todo: 0 };
  for (const { counts } of results) for (const key of Object.keys(total)) total[key] += counts[key];
  const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
  out.write(`# slowest files: ${slowest.map((r) => `${r.file} ${r.seconds.toFixed(1)}s`).join(', ')}\n`);
  out.write(`# ${results.length} files, ${results.filter((r) => !r.ok).length} failed\n`);
  const parts = Object.entries(total).filter(([key, n]) => key === 'total' || key === 'pass' || n > 0).map(([key, n]) => `${key}: ${n}`);
  out.write(`# { ${parts.join(', ')} }\n# time=${Date.now() - started}ms\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}
