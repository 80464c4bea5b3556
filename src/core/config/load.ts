import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Document } from 'yaml';
import { ConfigError } from './error.js';
import { evaluateConfigText } from './evaluate-text.js';
import type { ServerConfig } from './schema-types.js';
import { configTags } from './tags.js';
import { validateConfig } from './validate-config.js';

/** A loaded, validated server config. */
export interface LoadedConfig {
  /** The config with defaults applied and every `!env`/`!var` resolved. */
  config: ServerConfig;
  /** The file it was loaded from (absolute). */
  path: string;
  /** False when the file does not exist and built-in defaults were used. */
  exists: boolean;
  /** SHA-256 (hex) of the file's bytes; `''` when the file does not exist. */
  hash: string;
  /**
   * The parsed YAML Document, with `!env`/`!var` still as tags (as
   * `EnvReference`/`VarReference` values), for editing and saving the file
   * without resolving secrets into it. An empty mapping when the file is missing.
   */
  document: Document;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The config file, usually from `resolveConfigPath`. */
  path: string;
  /** Environment for `!env`; the `.env` beside the config fills in what it lacks. */
  env?: Readonly<Record<string, string | undefined>>;
}

export { DOTENV_FILE_NAME } from './evaluate-text.js';

function unreadable(path: string, error: unknown): ConfigError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : message;
  return new ConfigError('CONFIG_UNREADABLE', path, [{ keyPath: '', message: reason, file: path }], {
    hint: code === 'EACCES' ? `Make ${path} readable by this user (e.g. chmod 600 and chown it).` : `Check that ${path} is a readable file.`,
    cause: error,
  });
}

/**
 * Loads the server config: reads `.env` beside it (without overriding `env`),
 * parses the YAML, resolves `!env` and `!var`, validates against the schema and
 * fills in defaults. A missing file gives the defaults with no repos. Anything
 * wrong is thrown as one {@link ConfigError} listing every problem found.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { path } = options;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, error);
    const { config } = validateConfig({});
    if (config === undefined) throw new Error('the built-in defaults do not validate');
    return { config, path, exists: false, hash: '', document: new Document({}, { customTags: configTags }) };
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  const verdict = await evaluateConfigText(bytes.toString('utf8'), path, options.env ?? process.env);
  switch (verdict.kind) {
    case 'syntax':
      throw new ConfigError('CONFIG_YAML_SYNTAX', path, verdict.problems, { hint: 'Fix the YAML syntax at the positions shown.', hash });
    case 'not_mapping':
      throw new ConfigError('CONFIG_INVALID', path, verdict.problems, { hash });
    case 'dotenv_unreadable':
      throw unreadable(verdict.path, verdict.error);
    case 'checked':
      break;
  }
  if (verdict.problems.length > 0 || verdict.config === undefined) {
    throw new ConfigError('CONFIG_INVALID', path, verdict.problems, { hint: `Fix the keys listed above in ${path}; config/airut.example.yaml documents every key.`, hash });
  }
  return { config: verdict.config, path, exists: true, hash, document: verdict.document };
}
