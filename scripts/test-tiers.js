#!/usr/bin/env node
// Sorts the test files into two tiers without a hand-kept list:
//
// - integration: the file imports, directly or through other test modules, a
//   harness that needs a real service (podman, Dovecot, Chromium, the real
//   Claude Code binary, the gateway world);
// - unit: everything else.
//
// `npm run test:unit` runs the unit tier with `podman`, `docker`, `dovecot`
// and `chromium` shadowed on PATH by stubs that fail loudly, so a file that
// reaches one of them without importing its harness fails instead of being
// sorted wrong in silence.
//
// Usage: node scripts/test-tiers.js unit|integration   (prints one path a line)
//        node scripts/test-tiers.js run-unit [files]   (runs the unit tier, or the unit files
//                                                       whose path contains one of the arguments)
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { runUnitFiles } from './unit-runner.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const testDir = join(root, 'test');

/** Harness modules that start or need a real service; importing one makes a file an integration test. */
const SERVICE_HARNESSES = [
  'test/harness/podman.ts',
  'test/harness/mail/dovecot.ts',
  'test/harness/browser.ts',
  'test/harness/claude-binary.ts',
  'test/e2e/gateway-world.ts',
];

const SERVICE_COMMANDS = ['podman', 'docker', 'dovecot', 'chromium'];

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

/** Relative imports of one test module, resolved to files under test/ (`.js` specifiers name `.ts` sources). */
function localImports(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (!spec?.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(testDir)) continue;
    for (const candidate of [target, target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx')]) {
      try {
        if (statSync(candidate).isFile()) { found.push(candidate); break; }
      } catch { /* not this spelling; the next one is tried */ }
    }
  }
  return found;
}

/** Whether `file` reaches a service harness through its imports. */
function needsServices(file, memo = new Map(), visiting = new Set()) {
  if (memo.has(file)) return memo.get(file);
  if (SERVICE_HARNESSES.includes(relative(root, file))) return true;
  if (visiting.has(file)) return false;
  visiting.add(file);
  const result = localImports(file).some((dep) => needsServices(dep, memo, visiting));
  visiting.delete(file);
  memo.set(file, result);
  return result;
}

/** Test files of one tier, relative to the repository root, sorted. */
export function testFiles(tier) {
  const memo = new Map();
  return walk(testDir)
    .filter((f) => /\.test\.tsx?$/.test(f))
    .filter((f) => needsServices(f, memo) === (tier === 'integration'))
    .map((f) => relative(root, f))
    .sort();
}

async function runUnit(args) {
  const stubs = mkdtempSync(join(tmpdir(), 'airut-unit-stubs-'));
  try {
    mkdirSync(stubs, { recursive: true });
    for (const command of SERVICE_COMMANDS) {
      const stub = join(stubs, command);
      writeFileSync(stub, `#!/bin/sh\necho "test:unit: this test ran '${command}', so it is an integration test: import its harness (${SERVICE_HARNESSES.join(', ')}) so that npm run test:unit leaves it out" >&2\nexit 127\n`);
      chmodSync(stub, 0o755);
    }
    const env = { ...process.env, PATH: `${stubs}:${process.env.PATH ?? ''}`, AIRUT_TEST_TIER: 'unit' };
    // Arguments name a subset of the unit files (paths or substrings); none means all.
    const files = testFiles('unit').filter((file) => args.length === 0 || args.some((arg) => file.includes(arg)));
    // AIRUT_TEST_JOBS overrides how many files run at once (default: one per CPU).
    const jobs = Number.parseInt(process.env.AIRUT_TEST_JOBS ?? '', 10);
    return await runUnitFiles(root, files, env, Number.isInteger(jobs) && jobs > 0 ? { jobs } : {});
  } finally {
    rmSync(stubs, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'unit' || mode === 'integration') {
    for (const file of testFiles(mode)) console.log(file);
  } else if (mode === 'run-unit') {
    process.exitCode = await runUnit(rest);
  } else {
    console.error('usage: node scripts/test-tiers.js unit|integration|run-unit [files]');
    process.exit(2);
  }
}
