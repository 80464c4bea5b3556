import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The top of the git work tree holding `dir` (the nearest ancestor with a
 * `.git` directory or file), or undefined outside any repository. Reads the
 * file system only, so it works without git installed.
 */
export async function findGitRoot(dir: string): Promise<string | undefined> {
  let current = resolve(dir);
  for (;;) {
    const found = await stat(join(current, '.git')).then(() => true, () => false);
    if (found) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
