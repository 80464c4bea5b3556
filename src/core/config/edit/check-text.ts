import { dirname, join } from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { coerceEnvironmentValues } from '../coerce.js';
import { readDotEnv } from '../dotenv.js';
import type { ConfigProblem } from '../error.js';
import { DOTENV_FILE_NAME } from '../load.js';
import { readDocument } from '../read-document.js';
import { configSchema } from '../schema.js';
import { SourceMap } from '../source-map.js';
import { configTags } from '../tags.js';
import { locateProblem, sortProblems, validateConfig } from '../validate.js';

/** Options of {@link checkConfigText}. */
export interface CheckTextOptions {
  /** Where the text is (or will be) saved: named in problems; its `.env` sibling is read. */
  path: string;
  /** Environment for `!env`, as the service sees it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Every problem the loader would report for `text` saved at `path`: YAML
 * syntax, unresolvable `!env`/`!var`, schema and cross-key rules. Empty when
 * `airut serve` would accept the file.
 */
export async function checkConfigText(text: string, options: CheckTextOptions): Promise<ConfigProblem[]> {
  const { path } = options;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { customTags: configTags, lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return sortProblems(document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { keyPath: '', message: (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''), file: path, line, column: col };
    }));
  }
  if (document.contents !== null && !isMap(document.contents)) {
    return [{ keyPath: '', message: 'the file must be a YAML mapping of keys like "repos:"', file: path }];
  }
  const dotenvPath = join(dirname(path), DOTENV_FILE_NAME);
  let dotenv: Record<string, string> = {};
  try {
    dotenv = await readDotEnv(dotenvPath);
  } catch (error) {
    return [{ keyPath: '', message: `cannot read ${dotenvPath}: ${(error as Error).message}`, file: dotenvPath }];
  }
  const env: Record<string, string | undefined> = { ...dotenv };
  for (const [name, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[name] = value;

  const sourceMap = new SourceMap(lineCounter);
  const read = readDocument(document, text, env, sourceMap, dotenvPath);
  const data = read.value ?? {};
  coerceEnvironmentValues(configSchema().schema, data, read.fromEnvironment);
  const located = { file: path, locate: sourceMap.locate };
  const readProblems = read.problems.map((problem) => locateProblem(problem, located));
  const validation = validateConfig(data, located);
  const reported = new Set(readProblems.map((problem) => problem.keyPath));
  return [...sortProblems(readProblems), ...validation.problems.filter((problem) => !reported.has(problem.keyPath))];
}
