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
// tap and the heaviest packages our modules import (see BUNDLED) are each
// bundled into one module of the tree, which the transpiled modules import
// instead: loading tap as it is installed means resolving and reading some
// 250 files, about 0.25 s of CPU in each of the 150 processes, and undici,
// @peculiar/x509, execa, yaml and ajv as many again in most of them; a bundle
// loads in a fraction of that. Every module of the tree imports the same
// bundle, so there is one copy of each package in a test process, as before.
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
 * Packages bundled, by the specifier our modules import them with, and where
 * each bundle goes in the tree. tap's path has `node_modules/@tapjs/` in it so
 * that tap's stack filter, which drops frames of `@tapjs` packages by that
 * path, drops the bundle's frames too, and failures point at the test.
 * Packages a bundle leaves out resolve from it through the tree's linked
 * `node_modules`. Left out on purpose: packages a test and a dependency of
 * ours both load (react, ink, @oclif/core), where a second copy would differ.
 */
const BUNDLED = {
  tap: join('.unit', 'node_modules', '@tapjs', 'unit-bundle', 'tap.js'),
  ...Object.fromEntries(['execa', 'undici', '@peculiar/x509', 'yaml', 'ajv/dist/2020.js']
    .map((spec) => [spec, join('.unit', 'node_modules', '.bundles', `${spec.replace(/[^a-z0-9]+/gi, '-')}.js`)])),
};

/**
 * Left out of the bundles: tcompare `require`s a package of its own nested
 * `node_modules` relative to its own file, which a bundle would move.
 */
const EXTERNAL = ['tcompare'];

/** An `import ... from "x"` or `export ... from "x"` as esbuild prints it. */
const FROM = /^((?:import|export)\s[^;]*?\sfrom\s*)"([^"]+)";$/gm;
/** A dynamic `import("x")` of a package loaded on first use, as esbuild prints it. */
const DYNAMIC = /\bimport\("([^"]+)"\)/g;

/**
 * The source of the bundle of `spec`: its exports by name (a CommonJS package
 * has none an `export *` could list, so they are read from the loaded package)
 * and its default export when it has one.
 */
async function bundleEntry(spec) {
  if (spec === 'tap') return "export * from 'tap'; export { default } from 'tap';";
  // @peculiar/x509 needs the metadata polyfill first, as our x509.ts loads it.
  await import('reflect-metadata');
  const loaded = await import(spec);
  const names = Object.keys(loaded).filter((name) => name !== 'default' && name !== '__esModule');
  return `export { ${names.join(', ')} } from '${spec}';${'default' in loaded ? ` export { default } from '${spec}';` : ''}`;
}

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
  const bundling = Promise.all(Object.entries(BUNDLED).map(async ([spec, out]) => build({
    stdin: { contents: await bundleEntry(spec), resolveDir: root, loader: 'js' },
    bundle: true,
    outfile: join(tree, out),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // The CommonJS parts of a bundle call `require`, which an ES module lacks.
    banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
    logLevel: 'error',
  })));
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
    const bundleOf = (spec) => {
      const bundle = relative(dirname(file.path), join(tree, BUNDLED[spec]));
      return JSON.stringify(bundle.startsWith('.') ? bundle : `./${bundle}`);
    };
    const text = file.text
      .replace(FROM, (whole, head, spec) => Object.hasOwn(BUNDLED, spec) ? `${head}${bundleOf(spec)};` : whole)
      .replace(DYNAMIC, (whole, spec) => Object.hasOwn(BUNDLED, spec) ? `import(${bundleOf(spec)})` : whole);
    writeFileSync(file.path, text);
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
