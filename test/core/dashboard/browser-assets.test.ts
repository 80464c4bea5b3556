import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { BROWSER_MODULES } from '../../../src/core/dashboard/browser-assets.js';
import { REPO_ROOT } from '../../harness/repo-root.js';

// The dashboard serves only the browser modules it lists; a module the page
// script imports but the list lacks is answered 404, and then the page script
// of every page fails to load. Every runtime import of a served module must
// be served too.

t.test('every browser module a served module imports at run time is served', async (t) => {
  const dir = join(REPO_ROOT, 'src', 'core', 'dashboard', 'browser');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.ts'));
  const imported: string[] = [];
  for (const name of BROWSER_MODULES) {
    t.ok(files.includes(`${name}.ts`), `${name} is a module of browser/`);
    const text = await readFile(join(dir, `${name}.ts`), 'utf8');
    // `import type` is erased by the compiler and fetches nothing.
    for (const match of text.matchAll(/^import (?!type\b)[^;]*? from '\.\/([^']+)\.js';$/gm)) imported.push(match[1] ?? '');
  }
  t.ok(imported.length > 5, `the imports were read (${imported.length})`);
  t.same([...new Set(imported)].filter((name) => !BROWSER_MODULES.has(name)), [], 'none is missing from BROWSER_MODULES');
});
