import { readFile } from 'node:fs/promises';
import { DashboardError } from './errors.js';

/**
 * The browser modules the dashboard serves under `/static/<name>.js`. They
 * are TypeScript in `browser/`, compiled with the package (`npm run build`
 * writes `browser/<name>.js` next to this module's compiled form).
 */
export const BROWSER_MODULES: ReadonlySet<string> = new Set([
  'dashboard', 'overview-page', 'task-page', 'task-holds', 'repo-page', 'repo-render', 'conversation-page', 'config-editor', 'dom',
]);

const cache = new Map<string, Promise<string>>();

/**
 * The JavaScript of browser module `name`. From the build next to this file;
 * when run from the TypeScript sources (tests, development) there is none,
 * and the module is transpiled from its `.ts` with the TypeScript compiler
 * the source checkout has. Read once per process.
 */
export function browserModule(name: string): Promise<string> {
  if (!BROWSER_MODULES.has(name)) return Promise.reject(new DashboardError('DASHBOARD_NO_SUCH_MODULE', `no browser module ${JSON.stringify(name)}`, {}));
  let found = cache.get(name);
  if (found === undefined) {
    found = load(name);
    // A failed read is tried again by the next request.
    found.catch(() => cache.delete(name));
    cache.set(name, found);
  }
  return found;
}

async function load(name: string): Promise<string> {
  const built = new URL(`./browser/${name}.js`, import.meta.url);
  try {
    return await readFile(built, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const sourceUrl = new URL(`./browser/${name}.ts`, import.meta.url);
  const source = await readFile(sourceUrl, 'utf8').catch((error: unknown) => {
    throw new DashboardError('DASHBOARD_ASSET_MISSING', `the dashboard's browser module ${name}.js is missing next to ${import.meta.url}`, {
      cause: error,
      hint: 'Rebuild the package with npm run build; the installed copy is incomplete.',
    });
  });
  const ts = await import('typescript').catch((error: unknown) => {
    throw new DashboardError('DASHBOARD_ASSET_MISSING', `the dashboard's browser module ${name} is only present as TypeScript and the typescript package is not installed`, {
      cause: error,
      hint: 'Run npm run build, or npm install in the source checkout.',
    });
  });
  return ts.default.transpileModule(source, {
    compilerOptions: { target: ts.default.ScriptTarget.ES2022, module: ts.default.ModuleKind.ES2022, verbatimModuleSyntax: true },
    fileName: `${name}.ts`,
  }).outputText;
}
