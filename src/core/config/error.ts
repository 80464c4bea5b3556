import { basename } from 'node:path';
import { AirutError } from '../../sandbox/error.js';

/** One thing wrong with a config file, located where the file allows it. */
export interface ConfigProblem {
  /** Where in the config, e.g. `repos.myrepo.email.imap_port`; `''` for the whole file. */
  keyPath: string;
  /** What is wrong and what would be valid, without the key path or location. */
  message: string;
  /** The config file the problem is in (absolute path), or `''` when validating a value without a file. */
  file: string;
  /** 1-based line in {@link file}. */
  line?: number;
  /** 1-based column in {@link file}. */
  column?: number;
}

/** Stable codes of {@link ConfigError}. */
export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_UNREADABLE' | 'CONFIG_YAML_SYNTAX';

/**
 * Formats a problem as one line:
 * `repos.x.email.imap_port: must be an integer, got "abc" (airut.yaml line 12, column 16)`.
 */
export function formatProblem(problem: ConfigProblem): string {
  const head = problem.keyPath === '' ? problem.message : `${problem.keyPath}: ${problem.message}`;
  if (problem.file === '') return head;
  const where = problem.line === undefined
    ? basename(problem.file)
    : `${basename(problem.file)} line ${problem.line}${problem.column === undefined ? '' : `, column ${problem.column}`}`;
  return `${head} (${where})`;
}

/**
 * The config could not be read, parsed or validated. `problems` lists every
 * problem found (not only the first); the message lists them too, one per line,
 * so printing the message is enough.
 */
export class ConfigError extends AirutError {
  declare readonly code: ConfigErrorCode;
  /** Every problem found, in file order. */
  readonly problems: readonly ConfigProblem[];
  /** The config file concerned. */
  readonly file: string;
  /**
   * SHA-256 (hex) of the file's bytes when they could be read, so a reloader
   * can tell which version of the file failed.
   */
  readonly hash: string | undefined;

  constructor(code: ConfigErrorCode, file: string, problems: readonly ConfigProblem[], options: { hint?: string; cause?: unknown; hash?: string } = {}) {
    const { hash, ...rest } = options;
    super(code, describe(code, file, problems), { exitCode: 1, ...rest });
    this.problems = problems;
    this.file = file;
    this.hash = hash;
  }
}

function describe(code: ConfigErrorCode, file: string, problems: readonly ConfigProblem[]): string {
  const lead = {
    CONFIG_INVALID: `Invalid configuration in ${file}`,
    CONFIG_UNREADABLE: `Cannot read the configuration ${file}`,
    CONFIG_YAML_SYNTAX: `YAML syntax error in ${file}`,
  }[code];
  if (problems.length === 1 && code === 'CONFIG_UNREADABLE') return `${lead}: ${problems[0]?.message ?? ''}`;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`${lead} (${count}):`, ...problems.map((problem) => `  ${formatProblem(problem)}`)].join('\n');
}
