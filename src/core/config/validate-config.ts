import { configSchema } from './schema.js';
import type { ConfigProblem } from './error.js';
import { formatKeyPath } from './key-path.js';
import { schemaProblems, type SchemaProblem } from './schema-problems.js';
import type { ServerConfig } from './schema-types.js';
import { semanticProblems } from './semantic-checks.js';
import type { SourceLocator } from './source-map.js';

/** Options of {@link validateConfig}. */
export interface ValidateOptions {
  /** The file the value came from, named in problems. */
  file?: string;
  /** Finds key paths in that file, for line and column numbers. */
  locate?: SourceLocator;
}

/** What {@link validateConfig} found. */
export interface ValidationResult {
  /** The config with defaults applied; undefined when there are problems. */
  config: ServerConfig | undefined;
  /** Every problem, in file order when located. */
  problems: ConfigProblem[];
}

/** Attaches key path text, file and position to a problem. */
export function locateProblem(problem: SchemaProblem, options: ValidateOptions): ConfigProblem {
  const position = options.locate?.(problem.segments, problem.part);
  return {
    keyPath: formatKeyPath(problem.segments),
    message: problem.message,
    file: options.file ?? '',
    ...(position === undefined ? {} : { line: position.line, column: position.column }),
  };
}

/** Orders problems by position in the file; unlocated ones keep their order at the end. */
export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity)
      || (a.problem.column ?? 0) - (b.problem.column ?? 0)
      || a.index - b.index)
    .map(({ problem }) => problem);
}

/**
 * Validates plain config data (as parsed from YAML, `!env`/`!var` already
 * resolved) against airut.schema.json and the cross-key rules, and fills in
 * defaults. `value` itself is not modified. Used by the loader and by editors
 * that check a change before saving it.
 */
export function validateConfig(value: unknown, options: ValidateOptions = {}): ValidationResult {
  const { validate } = configSchema();
  const data = structuredClone(value ?? {});
  const valid = validate(data);
  const problems = [...(valid ? [] : schemaProblems(validate.errors ?? [], data)), ...semanticProblems(data, value ?? {})];
  const located = sortProblems(problems.map((problem) => locateProblem(problem, options)));
  return { config: located.length === 0 ? (data as ServerConfig) : undefined, problems: located };
}
