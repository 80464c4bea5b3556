import type { ConfigProblem } from '../error.js';
import { evaluateConfigText } from '../evaluate-text.js';

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
  const verdict = await evaluateConfigText(text, options.path, options.env ?? process.env);
  if (verdict.kind === 'dotenv_unreadable') {
    return [{ keyPath: '', message: `cannot read ${verdict.path}: ${(verdict.error as Error).message}`, file: verdict.path }];
  }
  return verdict.problems;
}
