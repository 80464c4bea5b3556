import type { GitMirror } from '../conversation/index.js';
import type { RepoFiles } from '../repo-sandbox/index.js';

/** The default branch of a repo's git mirror as {@link RepoFiles}: tasks read `.airut/` from there, as a CLI run reads it from the checkout. */
export function mirrorFiles(mirror: Pick<GitMirror, 'readFile' | 'readDirectory'>, repoId: string): RepoFiles {
  return {
    describe: (path) => `${path} (default branch of ${repoId})`,
    readFile: (path) => mirror.readFile(path),
    readDirectory: (path) => mirror.readDirectory(path),
  };
}
