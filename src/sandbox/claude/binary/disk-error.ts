import { ClaudeBinaryError } from './error.js';

/**
 * Wraps a file-system failure while writing the cache as `CLAUDE_BIN_DISK`,
 * naming the path and, for the usual causes, what to do about it.
 */
export function diskError(err: unknown, path: string): ClaudeBinaryError {
  if (err instanceof ClaudeBinaryError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ENOSPC' || code === 'EDQUOT'
    ? `The file system holding ${path} is full: free some space (the Claude Code binary needs about 400 MB) or point the cache elsewhere.`
    : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? `${path} is not writable: fix its permissions or point the cache at a writable directory.`
      : `Check the file system holding ${path}.`;
  return new ClaudeBinaryError('CLAUDE_BIN_DISK', `Writing ${path} failed: ${(err as Error).message}`, { hint, cause: err });
}
