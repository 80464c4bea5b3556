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
//
// tap itself is bundled into one module of the tree, which the transpiled
// modules import instead of `tap`: loading the package as it is installed
// means resolving and reading some 250 files, about 0.25 s of CPU in each of
// the 150 processes; the bundle loads in a fraction of that.
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

/** Top-level folders linked whole: no TypeScript module of ours is in them. Every other folder is mirrored. */
const LINKED = new Set(['node_modules', 'dist']);
/** Never part of the tree: version control and the tap runner's own state. */
const LEFT_OUT = new Set(['.git', '.tap']);

const TS_MODULE = /\.(ts|tsx)$/;

/**
 * Where the tap bundle goes in the tree. The path has `node_modules/@tapjs/`
 * in it so that tap's stack filter, which drops frames of `@tapjs` packages by
 * that path, drops the bundle's frames too, and failures point at the test.
 * Packages the bundle leaves out resolve from it through the tree's linked
 * `node_modules`.
 */
const TAP_BUNDLE = join('.unit', 'node_modules', '@tapjs', 'unit-bundle', 'tap.js');

/**
 * Left out of the bundle: tcompare `require`s a package of its own nested
 * `node_modules` relative to its own file, which a bundle would move.
 */
const TAP_EXTERNAL = ['tcompare'];

/** `import ... from "tap"` as esbuild prints it. */
const TAP_IMPORT = /^(import\s[^;]*?\sfrom\s*)"tap";$/gm;

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
  const tapBundle = join(tree, TAP_BUNDLE);
  const bundling = build({
    stdin: { contents: "export * from 'tap'; export { default } from 'tap';", resolveDir: root, loader: 'js' },
    bundle: true,
    outfile: tapBundle,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: TAP_EXTERNAL,
    // The CommonJS parts of tap's dependencies call `require`, which an ES module lacks.
    banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
    logLevel: 'error',
  });
  const transpiled = await build({
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
    write: false,
  });
  for (const file of transpiled.outputFiles) {
    let bundle = relative(dirname(file.path), tapBundle);
    if (!bundle.startsWith('.')) bundle = `./${bundle}`;
    writeFileSync(file.path, file.text.replace(TAP_IMPORT, (_, head) => `${head}${JSON.stringify(bundle)};`));
  }
  await bundling;
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
