import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RunError } from './error.js';

/** File, inside a repository's state dir, holding the id of its last Claude session. */
export const LAST_SESSION_FILE = 'last-session';

/** Subdirectory of a repository's state dir that is Claude's home (`/root/.claude`) for every run. */
export const CLAUDE_HOME_DIR = 'claude';

/**
 * Where command-line runs keep state for one repository:
 * `<stateDir>/cli/<name>-<hash of the path>`. Claude's sessions live there,
 * so `--resume` and `--continue` work across invocations.
 */
export function repoStateDir(stateDir: string, repoRoot: string): string {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 16);
  const name = basename(repoRoot).replace(/[^A-Za-z0-9_.-]/g, '_') || 'root';
  return join(stateDir, 'cli', `${name}-${hash}`);
}

/** The session id of the last run in this repository state dir, if any. */
export async function readLastSession(dir: string): Promise<string | undefined> {
  try {
    const text = (await readFile(join(dir, LAST_SESSION_FILE), 'utf8')).trim();
    return text === '' ? undefined : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unwritable(dir, error);
  }
}

/** Records `sessionId` as the last session; atomic, so a concurrent reader never sees half an id. */
export async function writeLastSession(dir: string, sessionId: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${LAST_SESSION_FILE}-${process.pid}-${Date.now()}`);
    await writeFile(temp, `${sessionId}\n`);
    await rename(temp, join(dir, LAST_SESSION_FILE));
  } catch (error) {
    throw unwritable(dir, error);
  }
}

function unwritable(dir: string, cause: unknown): RunError {
  return new RunError('RUN_STATE_UNWRITABLE', `cannot use the run state directory ${dir}: ${(cause as Error).message}`, {
    hint: 'Check the permissions of $XDG_STATE_HOME/airut (default ~/.local/state/airut).',
    cause,
  });
}
