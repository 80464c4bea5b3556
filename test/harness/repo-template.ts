import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A git repository made once per test process and copied for each test that
 * wants one, instead of `git init`, `add` and `commit` every time: a copy is a
 * file copy in this process, where making the repository starts three git
 * processes. Every copy is a whole, independent repository (same commits, same
 * refs), so one test's changes never reach another's.
 */
export interface RepoTemplate {
  /** Copies the repository to `dir` (created) and returns `dir`. */
  copyTo(dir: string): Promise<string>;
}

/**
 * Returns a template whose repository `make(dir)` builds the first time a
 * copy is asked for; the template's folder is removed when `t` ends (the
 * file's root test).
 */
export function repoTemplate(t: { teardown(fn: () => unknown): void }, make: (root: string) => Promise<string>): RepoTemplate {
  let made: Promise<string> | undefined;
  return {
    async copyTo(dir) {
      made ??= (async () => {
        const root = await mkdtemp(join(tmpdir(), 'airut-repo-template-'));
        t.teardown(() => rm(root, { recursive: true, force: true }));
        return make(root);
      })();
      await cp(await made, dir, { recursive: true, verbatimSymlinks: true });
      return dir;
    },
  };
}
