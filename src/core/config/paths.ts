import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Where Airut keeps its files, following the XDG base directory spec. */
export interface AirutPaths {
  /** The server config, `$XDG_CONFIG_HOME/airut/airut.yaml`. */
  configFile: string;
  /** `$XDG_CONFIG_HOME/airut` (also holds `.env`). */
  configDir: string;
  /** `$XDG_STATE_HOME/airut`: conversations, git mirrors, thread stores. */
  stateDir: string;
  /** `$XDG_CACHE_HOME/airut`: Claude Code binaries and other re-downloadable things. */
  cacheDir: string;
  /** `$XDG_DATA_HOME/airut`: the sandbox CA. */
  dataDir: string;
}

/** The environment as far as paths are concerned. */
export type PathEnv = Readonly<Record<string, string | undefined>>;

/** The config file name inside the config directory. */
export const CONFIG_FILE_NAME = 'airut.yaml';

/**
 * Reads an XDG base directory variable. The spec says empty and relative values
 * are to be ignored, so they fall back like an unset one.
 */
function xdgDir(env: PathEnv, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value !== undefined && value !== '' && isAbsolute(value) ? value : fallback;
}

/**
 * Airut's directories for this user. This (with {@link resolveConfigPath}) is the
 * only place that reads the XDG variables.
 */
export function configPaths(env: PathEnv = process.env, home: string = homedir()): AirutPaths {
  const configDir = join(xdgDir(env, 'XDG_CONFIG_HOME', join(home, '.config')), 'airut');
  return {
    configFile: join(configDir, CONFIG_FILE_NAME),
    configDir,
    stateDir: join(xdgDir(env, 'XDG_STATE_HOME', join(home, '.local', 'state')), 'airut'),
    cacheDir: join(xdgDir(env, 'XDG_CACHE_HOME', join(home, '.cache')), 'airut'),
    dataDir: join(xdgDir(env, 'XDG_DATA_HOME', join(home, '.local', 'share')), 'airut'),
  };
}

/** Inputs of {@link resolveConfigPath}. */
export interface ResolveConfigPathOptions {
  /** The `--config` flag, when given. */
  flag?: string | undefined;
  /** Environment (for `AIRUT_CONFIG` and the XDG variables). */
  env?: PathEnv;
  /** Home directory for the XDG fallbacks. */
  home?: string;
  /** Directory relative paths are resolved against. */
  cwd?: string;
}

/**
 * The config file to use: the `--config` flag, else `AIRUT_CONFIG`, else the XDG
 * default. Always an absolute path; empty values count as not given.
 */
export function resolveConfigPath(options: ResolveConfigPathOptions = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = [options.flag, env.AIRUT_CONFIG].find((value) => value !== undefined && value.trim() !== '');
  if (explicit !== undefined) return resolve(cwd, explicit);
  return configPaths(env, options.home ?? homedir()).configFile;
}
