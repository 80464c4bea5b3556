import { resolve } from 'node:path';
import { allowlistFromObject, parseAllowlist, type Allowlist } from '../../sandbox/index.js';
import { checkoutFiles, type RepoFiles } from './repo-files.js';

/** A repository's network allowlist as read: its text too, so that an unchanged file can reuse what was set up for it. */
export interface RepoAllowlist {
  allowlist: Allowlist;
  /** False when there is no file: the allowlist is then empty (everything blocked). */
  found: boolean;
  /** The file's text; '' when there is none. */
  text: string;
}

/**
 * Reads and validates a repository's network allowlist from a checkout or
 * the default branch. A missing file is an empty allowlist with `found:
 * false` (whether a task may run so is the caller's rule); a file that
 * exists but is invalid throws (fail closed).
 *
 * @throws AllowlistError `ALLOWLIST_INVALID` listing every problem with file and line.
 */
export async function readAllowlist(files: RepoFiles, path: string): Promise<RepoAllowlist> {
  const bytes = await files.readFile(path);
  if (bytes === undefined) return { allowlist: allowlistFromObject({}, files.describe(path)), found: false, text: '' };
  const text = bytes.toString('utf8');
  return { allowlist: parseAllowlist(text, files.describe(path)), found: true, text };
}

/** {@link readAllowlist} of a file on this machine, for `airut run` and `sandbox exec`: a missing file is an empty allowlist, as in the original. */
export async function loadAllowlist(path: string): Promise<RepoAllowlist> {
  return readAllowlist(checkoutFiles('/'), resolve(path));
}
