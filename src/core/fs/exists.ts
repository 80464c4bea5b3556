import { access, lstat } from 'node:fs/promises';

/**
 * True when `path` can be reached (symlinks followed). Absence is an answer,
 * not an error: any failure to reach it gives false.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** True when there is a directory entry at `path`, even a dangling symlink. */
export async function entryExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
