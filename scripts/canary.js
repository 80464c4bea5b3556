#!/usr/bin/env node
// `npm run canary`: runs the tests that drive the real Claude Code binary
// against the versions the `latest` and `stable` channels name today, instead
// of the pinned one in test/harness/claude-version.json, and prints which
// passed. Not part of `npm test`: it downloads whatever was released last.
// Needs `npm run build` and `npm run provision` first.
//
// Usage: npm run canary [-- CHANNEL_OR_VERSION ...]   (default: latest stable)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { testFiles } from './test-tiers.js';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['latest', 'stable'];
const pinned = JSON.parse(readFileSync(join(root, 'test', 'harness', 'claude-version.json'), 'utf8')).version;

/** The integration tests that run the real binary: they read it through the harness. */
const files = testFiles('integration').filter((file) => /realClaudeBinary/.test(readFileSync(join(root, file), 'utf8')));

const results = [];
for (const channel of wanted) {
  const fetched = spawnSync(process.execPath, [join(root, 'test', 'harness', 'fetch-claude.js'), channel], { cwd: root, encoding: 'utf8' });
  if (fetched.status !== 0) {
    const reason = (fetched.stderr.trim().split('\n').find((line) => !line.includes('hint:')) ?? `exit ${fetched.status}`).replace(/^fetch-claude: /, '');
    results.push({ channel, version: null, outcome: 'unavailable', detail: reason });
    continue;
  }
  const path = fetched.stdout.trim();
  const version = path.split('/').at(-2) ?? '?';
  console.error(`canary: ${channel} is Claude Code ${version}; running ${files.length} test files`);
  const run = spawnSync(join(root, 'node_modules', '.bin', 'tap'), ['--reporter=terse', ...files], {
    cwd: root,
    env: { ...process.env, AIRUT_TEST_CLAUDE_VERSION: version },
    stdio: 'inherit',
  });
  results.push({ channel, version, outcome: run.status === 0 ? 'passed' : 'failed', detail: run.status === 0 ? '' : `tap exit ${run.status}` });
}

console.log(`canary: pinned version ${pinned}`);
for (const r of results) {
  console.log(`canary: ${r.channel.padEnd(8)} ${(r.version ?? '-').padEnd(10)} ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`);
}
process.exit(results.some((r) => r.outcome === 'failed') ? 1 : 0);
