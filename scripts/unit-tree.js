// Builds the tree the unit tier runs from: a copy of the repository's layout
// in a temporary directory, where every TypeScript module (outside
// `node_modules` and `dist`) is transpiled once to its `.js` sibling and every other entry is a
// symbolic link to the real one.
//
// Why: a test file run with `node --import tsx` spends about 0.7 s of CPU
// before its first line (Node 20 runs the loader hooks in their own thread,
// which boots esbuild again for every process); over 150 unit files that is
// half of the tier's time on a 2-core machine. Transpiling everything once
// with esbuild takes about a second, and the files then run on plain node.
//
// The layout is kept so that paths computed from `import.meta.url` (the
// package root, fixtures, `bin/run.js`, the sources a test reads) land on the
// same files as in the repository: a linked file opens the original, and the
// `.ts` sources are there beside their transpiled `.js`. Source maps point at
// the original files, so stack traces and tap's `at:` name them.
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** Top-level folders linked whole: no TypeScript module of ours is in them. Every other folder is mirrored. */
const LINKED = new Set(['node_modules', 'dist']);
/** Never part of the tree: version control and the tap runner's own state. */
const LEFT_OUT = new Set(['.git', '.tap']);

const TS_MODULE = /\.(ts|tsx)$/;

/**
 * Makes the tree for `root` and returns its path; the caller removes it.
 * @param {string} root the repository
 * @returns {Promise<string>}
 */
export async function buildUnitTree(root) {
  const tree = mkdtempSync(join(tmpdir(), 'airut-unit-tree-'));
  /** @type {string[]} */
  const modules = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (LEFT_OUT.has(entry.name)) continue;
    if (entry.isDirectory() && !LINKED.has(entry.name)) mirror(join(root, entry.name), join(tree, entry.name), modules);
    else symlinkSync(join(root, entry.name), join(tree, entry.name));
  }
  await build({
    entryPoints: modules,
    outbase: root,
    outdir: tree,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    // The map's sources are relative paths from the tree back to the repository's files,
    // so stack traces and tap's locations name those.
    sourcemap: 'inline',
    logLevel: 'error',
    tsconfig: join(root, 'tsconfig.json'),
  });
  return tree;
}

/** Real folders for `from`'s folders, links for its files, and the TypeScript modules collected for transpiling. */
function mirror(from, to, modules) {
  mkdirSync(to, { recursive: true });
  const entries = readdirSync(from, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  for (const entry of entries) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) {
      // Fixtures are data (lint cases, sample repositories): their `.ts` files are read, never run.
      mirror(source, join(to, entry.name), entry.name === 'fixtures' ? [] : modules);
      continue;
    }
    symlinkSync(source, join(to, entry.name));
    // A module with a real `.js` sibling (none today) keeps that one.
    if (TS_MODULE.test(entry.name) && !entry.name.endsWith('.d.ts') && !names.has(entry.name.replace(TS_MODULE, '.js'))) modules.push(source);
  }
}

/** The tree's path of a repository file, transpiled to `.js` when it is a TypeScript module. */
export function treePath(root, tree, file) {
  return join(tree, relative(root, join(root, file)).replace(TS_MODULE, '.js'));
}
