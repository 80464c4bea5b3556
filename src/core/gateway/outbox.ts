import { access, constants, lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The files of an outbox that can be delivered, and the ones that cannot. */
export interface OutboxContents {
  /** Readable regular files in the outbox root, sorted by name. */
  files: { filename: string; path: string }[];
  /** Regular files that could not be read. */
  unreadable: string[];
}

/**
 * Lists what Claude left for the user in `outbox/`: regular files in its
 * root only. Symlinks are never followed (they could point anywhere on the
 * host) and subdirectories are left alone.
 */
export async function readOutbox(outboxDir: string): Promise<OutboxContents> {
  const contents: OutboxContents = { files: [], unreadable: [] };
  let names: string[];
  try {
    names = await readdir(outboxDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return contents;
    throw error;
  }
  for (const name of names.sort()) {
    const path = join(outboxDir, name);
    const info = await lstat(path);
    if (!info.isFile()) continue;
    try {
      await access(path, constants.R_OK);
      contents.files.push({ filename: name, path });
    } catch {
      // Reported to the user in the reply rather than failing the whole delivery.
      contents.unreadable.push(name);
    }
  }
  return contents;
}

/**
 * Empties the outbox root after a reply was delivered: unlinks files and
 * symlinks (never their targets) and keeps real subdirectories.
 */
export async function clearOutbox(outboxDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outboxDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    const path = join(outboxDir, name);
    if ((await lstat(path)).isDirectory()) continue;
    await unlink(path);
  }
}
