import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RepoSandboxError } from './error.js';

/** One regular file of a directory. */
export interface RepoFile {
  name: string;
  content: Buffer;
}

/**
 * Where a repository's sandbox files are read from: the user's checkout for
 * `airut run` and `sandbox exec`, the default branch of the gateway's git
 * mirror for a conversation's task. The readers of `.airut/` take one of
 * these, so both read, validate and name the files alike.
 */
export interface RepoFiles {
  /** Names a path for messages: an absolute file of a checkout, or `path (default branch of repo)`. */
  describe(path: string): string;
  /** A file's bytes (path relative to the root; a checkout also takes absolute paths), or undefined when it is missing. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** The regular files directly in a directory (no subdirectories, no symlinks), or undefined when it is missing. */
  readDirectory(path: string): Promise<RepoFile[] | undefined>;
}

/**
 * The files of a directory on this machine. A missing file or directory is
 * undefined; any other failure (permissions, a file where a directory should
 * be) is `REPO_SANDBOX_FILE_UNREADABLE` naming the path.
 */
export function checkoutFiles(root: string): RepoFiles {
  const at = (path: string): string => resolve(root, path);
  return {
    describe: at,
    async readFile(path) {
      try {
        return await readFile(at(path));
      } catch (cause) {
        if (isMissing(cause)) return undefined;
        throw unreadable(at(path), cause);
      }
    },
    async readDirectory(path) {
      const dir = at(path);
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (cause) {
        if (isMissing(cause)) return undefined;
        throw unreadable(dir, cause);
      }
      const files: RepoFile[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        try {
          files.push({ name: entry.name, content: await readFile(join(dir, entry.name)) });
        } catch (cause) {
          throw unreadable(join(dir, entry.name), cause);
        }
      }
      return files;
    },
  };
}

function isMissing(cause: unknown): boolean {
  const code = (cause as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function unreadable(path: string, cause: unknown): RepoSandboxError {
  return new RepoSandboxError('REPO_SANDBOX_FILE_UNREADABLE', `cannot read ${path}: ${(cause as Error).message}`, {
    hint: 'Check that the file exists and that you may read it.',
    cause,
  });
}
