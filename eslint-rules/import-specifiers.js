import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Source file extensions the architecture rules read. */
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/**
 * Every module specifier `text` names: static imports and re-exports (type-only
 * ones too), `import()` and `require()`. TypeScript's pre-processor reads the
 * text, so specifiers inside comments or strings are not counted.
 * @param {string} text
 * @returns {string[]}
 */
export function moduleSpecifiers(text) {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((file) => file.fileName);
}

/**
 * The absolute path a relative specifier points at, or undefined for a bare
 * one (a package, `node:` built-in). Directory imports are not resolved: ESM
 * names files.
 * @param {string} fromFile absolute path of the importing file
 * @param {string} specifier
 * @returns {string | undefined}
 */
export function resolveRelative(fromFile, specifier) {
  if (specifier !== '.' && specifier !== '..' && !specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  return resolve(dirname(fromFile), specifier);
}

/**
 * All source files below `root` (absolute paths), skipping `node_modules`.
 * @param {string} root
 * @returns {string[]}
 */
export function sourceFiles(root) {
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // A missing root has no files, so no edges; the rule then has nothing to check.
      return;
    }
    for (const entry of entries) {
      if (entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(root);
  return out;
}

/**
 * The folder of `file` relative to `root`, as path segments (`[]` for files
 * directly in root), or undefined when `file` lies outside root.
 * @param {string} root
 * @param {string} file
 * @returns {string[] | undefined}
 */
export function folderSegments(root, file) {
  const rel = relative(root, dirname(file));
  if (rel === '') return [];
  if (rel.startsWith('..') || resolve(root, rel) !== dirname(file)) return undefined;
  return rel.split(sep);
}

/**
 * Reads a file for the graph; unreadable files count as having no imports.
 * @param {string} file
 * @returns {string}
 */
export function readSource(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // Deleted between listing and reading (another process editing the tree).
    return '';
  }
}
