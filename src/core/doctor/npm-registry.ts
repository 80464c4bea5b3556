import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** npm's built-in default registry. */
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/** Where {@link resolveNpmRegistry} found the registry, for the report. */
export interface NpmRegistry {
  url: string;
  source: string;
}

/**
 * The registry the user's npm is configured for, in npm's order of precedence:
 * the `npm_config_registry` environment variable, the project's `.npmrc` (in
 * `cwd`), the user's `.npmrc` (`npm_config_userconfig` or `~/.npmrc`), npm's
 * default. `${VAR}` references in .npmrc values are expanded like npm does.
 */
export async function resolveNpmRegistry(options: {
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
}): Promise<NpmRegistry> {
  const { env } = options;
  const fromEnv = env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { url: withSlash(fromEnv.trim()), source: 'npm_config_registry' };
  }
  const files = [join(options.cwd, '.npmrc'), env.npm_config_userconfig ?? join(options.home, '.npmrc')];
  for (const file of files) {
    const value = await registryLine(file, env);
    if (value !== undefined) return { url: withSlash(value), source: file };
  }
  return { url: DEFAULT_NPM_REGISTRY, source: 'npm default' };
}

async function registryLine(file: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // No such .npmrc (the usual case) or unreadable: npm itself skips it too.
    return undefined;
  }
  let found: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*registry\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1]) {
      found = match[1].replace(/^["']|["']$/g, '').replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? '');
    }
  }
  return found;
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
