import { AirutError } from '../../error.js';

/**
 * Codes of {@link AllowlistError}:
 *
 * - `ALLOWLIST_INVALID`: the repository's network allowlist is not valid YAML
 *   or breaks the schema. The task must not start (fail closed).
 */
export type AllowlistErrorCode = 'ALLOWLIST_INVALID';

/** One thing wrong with an allowlist, located by key path (and line, when known). */
export interface AllowlistProblem {
  /** Key path inside the document, e.g. `url_prefixes[2].methods[0]`; empty for the whole document. */
  readonly path: string;
  /** 1-based line in the source, when the problem comes from YAML text. */
  readonly line?: number;
  /** 1-based column in the source, with {@link line}. */
  readonly column?: number;
  /** What is wrong and what would be valid, quoting the bad value. */
  readonly message: string;
}

/**
 * The repository's network allowlist cannot be used. The message lists every
 * problem found (not just the first), each with file, line and key path.
 */
export class AllowlistError extends AirutError {
  declare readonly code: AllowlistErrorCode;
  /** Every problem found, in document order. */
  readonly problems: readonly AllowlistProblem[];

  constructor(source: string, problems: readonly AllowlistProblem[], options: { cause?: unknown } = {}) {
    const lines = problems.map((p) => {
      const where = `${source}${p.line === undefined ? '' : `:${p.line}`}${p.line === undefined || p.column === undefined ? '' : `:${p.column}`}`;
      return `  ${where}: ${p.path === '' ? '' : `${p.path}: `}${p.message}`;
    });
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('ALLOWLIST_INVALID', `Network allowlist ${source} is invalid (${count}):\n${lines.join('\n')}`, {
      ...options,
      exitCode: 1,
      hint: `Fix ${source}: it holds \`domains:\` (a list of host patterns) and \`url_prefixes:\` (a list of {host, path, methods, graphql}); network-allowlist.schema.json in the Airut package describes every key. Until it is valid no task runs, because an unreadable allowlist would otherwise block or allow the wrong requests.`,
    });
    this.problems = problems;
  }
}
