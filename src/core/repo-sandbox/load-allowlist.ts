import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { allowlistFromObject, parseAllowlist, type Allowlist } from '../../sandbox/index.js';
import { RepoSandboxError } from './error.js';

/**
 * Reads and validates a repository's network allowlist. A missing file is an
 * empty allowlist (everything blocked), as in the original; a file that
 * exists but is invalid stops the run (fail closed).
 *
 * @throws AllowlistError `ALLOWLIST_INVALID` listing every problem with file and line.
 */
export async function loadAllowlist(path: string): Promise<{ allowlist: Allowlist; found: boolean }> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { allowlist: allowlistFromObject({}, file), found: false };
    throw new RepoSandboxError('REPO_SANDBOX_FILE_UNREADABLE', `cannot read the network allowlist ${file}: ${(cause as Error).message}`, {
      hint: 'Check that the file is readable, or point --allowlist at another one.',
      cause,
    });
  }
  return { allowlist: parseAllowlist(text, file), found: true };
}
