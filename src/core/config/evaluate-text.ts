import { dirname, join } from 'node:path';
import { type Document, LineCounter, isMap, parseDocument } from 'yaml';
import { coerceEnvironmentValues } from './coerce.js';
import { describeValue } from './describe-value.js';
import { readDotEnv } from './dotenv.js';
import type { ConfigProblem } from './error.js';
import { readDocument } from './read-document.js';
import { configSchema } from './schema.js';
import type { ServerConfig } from './schema-types.js';
import { SourceMap } from './source-map.js';
import { configTags } from './tags.js';
import { locateProblem, sortProblems, validateConfig } from './validate-config.js';

/** The name of the optional environment file beside the config. */
export const DOTENV_FILE_NAME = '.env';

/** What config text saved at a path comes to; see {@link evaluateConfigText}. */
export type TextVerdict =
  /** YAML that does not parse, or that is not a mapping. */
  | { kind: 'syntax' | 'not_mapping'; problems: ConfigProblem[] }
  /** The `.env` beside the file exists but cannot be read. */
  | { kind: 'dotenv_unreadable'; path: string; error: unknown }
  /** Parsed and checked: valid when `problems` is empty (then `config` is set). */
  | { kind: 'checked'; problems: ConfigProblem[]; config: ServerConfig | undefined; document: Document };

/** The first line of a yaml error, without the position the library appends. */
function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses `text` as if saved at `path`, reads the `.env` beside it (without
 * overriding `env`), resolves `!env` and `!var`, and validates against the
 * schema and cross-key rules. The one place the loader and the config editor
 * judge a file, so both report the same problems.
 */
export async function evaluateConfigText(text: string, path: string, env: Readonly<Record<string, string | undefined>>): Promise<TextVerdict> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { customTags: configTags, lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      kind: 'syntax',
      problems: sortProblems(document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { keyPath: '', message: yamlMessage(error.message), file: path, line, column: col };
      })),
    };
  }
  if (document.contents !== null && !isMap(document.contents)) {
    const { line, col } = lineCounter.linePos(document.contents.range?.[0] ?? 0);
    return {
      kind: 'not_mapping',
      problems: [{ keyPath: '', message: `the file must be a YAML mapping of keys like "repos:", got ${describeValue(document.toJS())}`, file: path, line, column: col }],
    };
  }

  const dotenvPath = join(dirname(path), DOTENV_FILE_NAME);
  let dotenv: Record<string, string>;
  try {
    dotenv = await readDotEnv(dotenvPath);
  } catch (error) {
    return { kind: 'dotenv_unreadable', path: dotenvPath, error };
  }
  const merged: Record<string, string | undefined> = { ...dotenv };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) merged[name] = value;

  const sourceMap = new SourceMap(lineCounter);
  const read = readDocument(document, text, merged, sourceMap, dotenvPath);
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
  return { kind: 'checked', problems, config: validation.config, document };
}
