import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigEditError } from './error.js';

/** The config file's text as the editor starts from it. */
export interface ConfigFileText {
  text: string;
  /** SHA-256 (hex) of the bytes; `''` when the file does not exist. */
  hash: string;
  exists: boolean;
}

/** SHA-256 (hex) of text as it is written to disk (UTF-8), the same hash the loader reports. */
export function hashText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Reads the config file; a missing file is empty text with hash `''`. */
export async function readConfigFile(path: string): Promise<ConfigFileText> {
  try {
    const bytes = await readFile(path);
    return { text: bytes.toString('utf8'), hash: createHash('sha256').update(bytes).digest('hex'), exists: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', hash: '', exists: false };
    throw new ConfigEditError('CONFIG_EDIT_WRITE_FAILED', `cannot read ${path}: ${(error as Error).message}`, { cause: error, hint: `Check that ${path} is a readable file.` });
  }
}

/** Refuses when the file on disk is not the one the editor loaded. */
export function checkNotStale(path: string, expectedHash: string, current: ConfigFileText): void {
  if (current.hash === expectedHash) return;
  const what = current.exists ? (expectedHash === '' ? 'was created' : 'was changed') : 'was removed';
  throw new ConfigEditError('CONFIG_EDIT_STALE', `${path} ${what} on disk since the editor loaded it; nothing was saved`, {
    hint: 'Reload the editor to start from the file as it is now, then make your changes again.',
  });
}

/** Where the bytes really go: through a symlink to its target, so the link stays. */
async function targetOf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw error;
  }
}

/**
 * Writes the config atomically with mode 0600: a temp file in the same
 * directory, flushed to disk, renamed over the file, the directory flushed.
 * Refuses (CONFIG_EDIT_STALE) when the file's current hash is not
 * `expectedHash`, i.e. it changed since the editor read it. Creates the
 * directory (mode 0700) for a first config. Returns the new hash.
 */
export async function saveConfigFile(path: string, text: string, expectedHash: string): Promise<string> {
  checkNotStale(path, expectedHash, await readConfigFile(path));
  const target = await targetOf(path);
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  } catch (error) {
    await rm(temp, { force: true });
    throw new ConfigEditError('CONFIG_EDIT_WRITE_FAILED', `failed to write ${target}: ${(error as Error).message}`, {
      cause: error,
      hint: `Check that ${dir} exists and is writable by this user.`,
    });
  }
  return hashText(text);
}
