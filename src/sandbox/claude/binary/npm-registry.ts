import { readFile, stat } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { ClaudeBinaryError } from './error.js';

/** The npm registry the user's npm would use, with the credentials .npmrc gives for it. */
export interface NpmRegistry {
  /** Base URL, always ending in `/`. */
  readonly url: string;
  /** Where the URL came from (an env var, an .npmrc file and key, or the default), for messages. */
  readonly source: string;
  /** `//host[:port]/path/` prefix -> value of the Authorization header. */
  readonly credentials: ReadonlyMap<string, string>;
}

/** Inputs for {@link resolveNpmRegistry}: the world npm itself would look at. */
export interface NpmRegistryInputs {
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /**
   * Where npm would run: the project config is the `.npmrc` of the nearest
   * ancestor holding `package.json` or `node_modules` (else `cwd` itself).
   * Omitted: no project config is read.
   */
  cwd?: string;
  /** The running node binary; npm's global prefix defaults to two levels above it. Omitted: no global config unless `npm_config_globalconfig`/`npm_config_prefix` name it. */
  execPath?: string;
  /** The package to be fetched: its scope's `@scope:registry` setting wins over the plain registry. Default: Claude Code's (scope `@anthropic-ai`). */
  packageName?: string;
}

/** npm's default when nothing is configured. */
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org/';

/** One config layer: where it came from, and its key/value pairs. */
interface Layer {
  name: string;
  values: Map<string, string>;
}

/**
 * Finds the registry the user's npm is configured with, the way npm layers its
 * config: environment (`npm_config_*`, any case) over the project `.npmrc`
 * over the user's (`npm_config_userconfig` or `~/.npmrc`) over the global one
 * (`npm_config_globalconfig`, else `PREFIX/etc/npmrc`). As in npm, the
 * scope's `@scope:registry` from any layer wins over a plain `registry`. Credentials come from
 * `//host/path/:_authToken=` and `:_auth=` lines of all files (the higher
 * layer wins per prefix), with `${VAR}` expanded from `env`. The single
 * resolver for both the Claude Code download and `airut check`.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_REGISTRY` when an npmrc exists but cannot be read.
 */
export async function resolveNpmRegistry(inputs: NpmRegistryInputs): Promise<NpmRegistry> {
  const { env, homedir } = inputs;
  const packageName = inputs.packageName ?? '@anthropic-ai/claude-code';
  const scope = packageName.startsWith('@') ? packageName.slice(0, packageName.indexOf('/')) : undefined;
  const fromEnv = envConfig(env);
  const userPath = fromEnv.get('userconfig') ?? join(homedir, '.npmrc');
  const prefix = fromEnv.get('prefix') ?? (inputs.execPath === undefined ? undefined : dirname(dirname(inputs.execPath)));
  const globalPath = fromEnv.get('globalconfig') ?? (prefix === undefined ? undefined : join(prefix, 'etc', 'npmrc'));
  const projectDir = inputs.cwd === undefined ? undefined : await projectRoot(inputs.cwd);
  const files = [
    ...(projectDir === undefined ? [] : [join(projectDir, '.npmrc')]),
    userPath,
    ...(globalPath === undefined ? [] : [globalPath]),
  ];
  const layers: Layer[] = [{ name: 'env', values: fromEnv }];
  for (const file of [...new Set(files)]) layers.push({ name: file, values: parseNpmrc(await readOptional(file), env) });

  let url = DEFAULT_NPM_REGISTRY;
  let source = 'npm default';
  // As npm does for a scoped package: the scope's registry from any layer, else the plain one.
  search: for (const key of scope === undefined ? ['registry'] : [`${scope}:registry`, 'registry']) {
    for (const layer of layers) {
      const value = layer.values.get(key) ?? '';
      if (value === '') continue;
      url = value;
      source = layer.name === 'env' ? `env npm_config_${key}` : `${layer.name}: ${key}`;
      break search;
    }
  }
  if (!url.endsWith('/')) url += '/';

  const credentials = new Map<string, string>();
  for (const layer of layers.slice(1).reverse()) {
    for (const [key, value] of layer.values) {
      const m = /^(\/\/.+\/):(_authToken|_auth)$/.exec(key);
      if (!m?.[1] || value === '') continue;
      credentials.set(m[1], m[2] === '_authToken' ? `Bearer ${value}` : `Basic ${value}`);
    }
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

// npm reads npm_config_* in any case (npm_config_registry, NPM_CONFIG_REGISTRY); an empty value is unset.
function envConfig(env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('npm_config_') || value === undefined || value.trim() === '') continue;
    const key = lower.slice('npm_config_'.length);
    // A lower-case name wins over an upper-case one, as in npm.
    if (!out.has(key) || name === lower) out.set(key, value.trim());
  }
  return out;
}

// npm's local prefix: the nearest ancestor with package.json or node_modules, else the start directory.
async function projectRoot(cwd: string): Promise<string> {
  const { root } = parse(cwd);
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const marker of ['package.json', 'node_modules']) {
      if (await stat(join(dir, marker)).then(() => true, () => false)) return dir;
    }
    if (dir === root || dirname(dir) === dir) return cwd;
  }
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
    // A missing or unreadable config is what most machines have: npm then uses its defaults.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') return '';
    throw new ClaudeBinaryError('CLAUDE_BIN_REGISTRY', `Reading the npm config ${path} failed: ${(err as Error).message}`, {
      hint: `Make ${path} a readable npm config file (or point npm_config_userconfig / npm_config_globalconfig elsewhere).`,
      cause: err,
    });
  }
}
