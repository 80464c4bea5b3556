import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Document, LineCounter, isMap, parseDocument } from 'yaml';
import { coerceEnvironmentValues } from './coerce.js';
import { describeValue } from './describe-value.js';
import { readDotEnv } from './dotenv.js';
import { ConfigError, type ConfigProblem } from './error.js';
import { readDocument } from './read-document.js';
import { configSchema } from './schema.js';
import type { ServerConfig } from './schema-types.js';
import { SourceMap } from './source-map.js';
import { configTags } from './tags.js';
import { locateProblem, sortProblems, validateConfig } from './validate.js';

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

/** The name of the optional environment file beside the config. */
export const DOTENV_FILE_NAME = '.env';

function unreadable(path: string, error: unknown): ConfigError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : message;
  return new ConfigError('CONFIG_UNREADABLE', path, [{ keyPath: '', message: reason, file: path }], {
    hint: code === 'EACCES' ? `Make ${path} readable by this user (e.g. chmod 600 and chown it).` : `Check that ${path} is a readable file.`,
    cause: error,
  });
}

/** The first line of a yaml error, without the position the library appends. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
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

  const dotenvPath = join(dirname(path), DOTENV_FILE_NAME);
  let dotenv: Record<string, string>;
  try {
    dotenv = await readDotEnv(dotenvPath);
  } catch (error) {
    throw unreadable(dotenvPath, error);
  }
  const env: Record<string, string | undefined> = { ...dotenv };
  for (const [name, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[name] = value;

  const lineCounter = new LineCounter();
  const text = bytes.toString('utf8');
  const document = parseDocument(text, { customTags: configTags, lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    const problems: ConfigProblem[] = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { keyPath: '', message: yamlMessage(error.message), file: path, line, column: col };
    });
    throw new ConfigError('CONFIG_YAML_SYNTAX', path, sortProblems(problems), { hint: 'Fix the YAML syntax at the positions shown.', hash });
  }

  if (document.contents !== null && !isMap(document.contents)) {
    const found = describeValue(document.toJS());
    const { line, col } = lineCounter.linePos(document.contents.range?.[0] ?? 0);
    throw new ConfigError('CONFIG_INVALID', path, [{
      keyPath: '', message: `the file must be a YAML mapping of keys like "repos:", got ${found}`, file: path, line, column: col,
    }], { hash });
  }

  const sourceMap = new SourceMap(lineCounter);
  const read = readDocument(document, text, env, sourceMap, dotenvPath);
  const data = read.value ?? {};
  coerceEnvironmentValues(configSchema().schema, data, read.fromEnvironment);
  const located = { file: path, locate: sourceMap.locate };
  const readProblems = read.problems.map((problem) => locateProblem(problem, located));
  const validation = validateConfig(data, located);
  // A key whose !env or !var failed would be reported again as wrong or missing.
  const reported = new Set(readProblems.map((problem) => problem.keyPath));
  // Unresolved references come first: an unset variable is often the one real
  // problem, and callers may show only the first few.
  const problems = [...sortProblems(readProblems), ...validation.problems.filter((problem) => !reported.has(problem.keyPath))];
  if (problems.length > 0 || validation.config === undefined) {
    throw new ConfigError('CONFIG_INVALID', path, problems, { hint: `Fix the keys listed above in ${path}; config/airut.example.yaml documents every key.`, hash });
  }
  return { config: validation.config, path, exists: true, hash, document };
}
