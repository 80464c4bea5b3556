import { chmod, mkdir, open, readdir, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { diskError } from './disk-error.js';

/** Prefix of the temporary files {@link installFile} writes next to the target. */
export const TEMP_PREFIX = '.claude-download-';

/**
 * Creates `target` (mode `mode`) atomically: `fill` writes a temporary file in
 * the same directory, which is fsynced and renamed over `target` only when
 * `fill` succeeds. On any failure the temporary file is removed, and so is the
 * directory when this left it empty: nothing half-written stays behind.
 */
export async function installFile(target: string, mode: number, fill: (handle: FileHandle, tempPath: string) => Promise<void>): Promise<void> {
  const dir = dirname(target);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw diskError(err, dir);
  }
  const temp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  let handle: FileHandle | undefined;
  try {
    try {
      handle = await open(temp, 'wx', 0o600);
    } catch (err) {
      throw diskError(err, temp);
    }
    await fill(handle, temp);
    try {
      await handle.sync();
      await handle.close();
      handle = undefined;
      await chmod(temp, mode);
      await rename(temp, target);
    } catch (err) {
      throw diskError(err, temp);
    }
  } catch (err) {
    // Clean-up is best effort: the error that got us here is the one worth reporting.
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    // Only succeeds when empty, i.e. when nothing else (another version file, a lock) lives there.
    await rmdir(dir).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/**
 * Removes temporary files a killed process left in `dir`. Call it only while
 * holding the lock that guards `dir`, so no live writer loses its file.
 */
export async function removeStaleTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw diskError(err, dir);
  }
  for (const name of names) {
    // A leftover that cannot be removed only wastes space; the download itself does not depend on it.
    if (name.startsWith(TEMP_PREFIX)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

// Makes the rename itself durable; some file systems refuse fsync on a directory, which only weakens durability.
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // See above: best effort by design.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
