import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClaudeBinaryError } from './error.js';

/** The npm registry the user's npm would use, with the credentials .npmrc gives for it. */
export interface NpmRegistry {
  /** Base URL, always ending in `/`. */
  readonly url: string;
  /** Where the URL came from (an env var, an .npmrc file, or the default), for messages. */
  readonly source: string;
  /** `//host[:port]/path/` prefix -> value of the Authorization header. */
  readonly credentials: ReadonlyMap<string, string>;
}

/** Inputs for {@link resolveNpmRegistry}: the process's env and home directory. */
export interface NpmRegistryInputs {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** The npm scope whose `@scope:registry` setting wins over the plain registry. */
  scope?: string;
}

/** npm's default when nothing is configured. */
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/**
 * Finds the registry the user's npm is configured with, the way npm does for the
 * simple cases: `npm_config_registry` / `NPM_CONFIG_REGISTRY`, then the user
 * config file (`npm_config_userconfig` or `~/.npmrc`), scoped `@scope:registry`
 * first; credentials from `//host/path/:_authToken=` and `:_auth=` lines, with
 * `${VAR}` expanded from `env`. Project and global npmrc files are not read.
 */
export async function resolveNpmRegistry(inputs: NpmRegistryInputs): Promise<NpmRegistry> {
  const { env, homedir } = inputs;
  const scope = inputs.scope ?? '@anthropic-ai';
  const npmrcPath = env.npm_config_userconfig ?? env.NPM_CONFIG_USERCONFIG ?? join(homedir, '.npmrc');
  const npmrc = parseNpmrc(await readOptional(npmrcPath), env);

  const fromEnv = [`npm_config_${scope}:registry`, 'npm_config_registry', 'NPM_CONFIG_REGISTRY']
    .map((name) => ({ name, value: env[name] }))
    .find((entry) => entry.value !== undefined && entry.value !== '');
  let url: string;
  let source: string;
  if (fromEnv?.value !== undefined) {
    url = fromEnv.value;
    source = `env ${fromEnv.name}`;
  } else if (npmrc.get(`${scope}:registry`)) {
    url = npmrc.get(`${scope}:registry`) ?? '';
    source = `${npmrcPath}: ${scope}:registry`;
  } else if (npmrc.get('registry')) {
    url = npmrc.get('registry') ?? '';
    source = `${npmrcPath}: registry`;
  } else {
    url = DEFAULT_NPM_REGISTRY;
    source = 'npm default';
  }
  if (!url.endsWith('/')) url += '/';

  const credentials = new Map<string, string>();
  for (const [key, value] of npmrc) {
    const m = /^(\/\/.+\/):(_authToken|_auth)$/.exec(key);
    if (!m?.[1] || value === '') continue;
    credentials.set(m[1], m[2] === '_authToken' ? `Bearer ${value}` : `Basic ${value}`);
  }
  return { url, source, credentials };
}

/**
 * The Authorization header .npmrc gives for `url`: the credential whose
 * `//host/path/` prefix is the longest match, so a token is only ever sent to
 * the host (and path) it was configured for.
 */
export function authorizationFor(registry: NpmRegistry, url: string): string | undefined {
  const parsed = new URL(url);
  const nerfed = `//${parsed.host}${parsed.pathname}`;
  let best: { prefix: string; value: string } | undefined;
  for (const [prefix, value] of registry.credentials) {
    if (nerfed.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { prefix, value };
  }
  return best?.value;
}

/** The URL of a package's metadata document (scoped names keep `@` and encode `/`). */
export function packumentUrl(registry: NpmRegistry, packageName: string): string {
  return new URL(packageName.replace('/', '%2f'), registry.url).toString();
}

function parseNpmrc(text: string, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) value = value.slice(1, -1);
    out.set(expand(key, env), expand(value, env));
  }
  return out;
}

// npm expands ${VAR} (and ${VAR?}, empty when unset) inside .npmrc keys and values.
function expand(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/(\\*)\$\{([^}?]+)(\?)?\}/g, (whole, slashes: string, name: string, optional: string | undefined) => {
    if (slashes.length % 2 === 1) return whole.slice(1);
    const value = env[name];
    return slashes + (value ?? (optional ? '' : `\${${name}}`));
  });
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    // A missing or unreadable user config is what most machines have: npm then uses its defaults.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES') return '';
    throw new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `Reading the npm user config ${path} failed: ${(err as Error).message}`, {
      hint: `Make ${path} a readable npm config file (or set npm_config_userconfig to one).`,
      cause: err,
    });
  }
}
