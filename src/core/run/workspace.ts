import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitRunner } from '../conversation/git.js';
import type { Mount } from '../../sandbox/index.js';
import { RunError } from './error.js';

/** The container path every run's workspace is mounted at. */
export const WORKSPACE_PATH = '/workspace';

/** Where a run works. */
export interface RunWorkspace {
  /** Host directory mounted at {@link WORKSPACE_PATH}. */
  dir: string;
  /** The workspace mount first, then whatever the run also needs (a worktree's git directory). */
  mounts: Mount[];
  /** Set for `--worktree`: the new branch. */
  branch?: string;
}

/** The live repository (or directory), mounted read-write. */
export function liveWorkspace(dir: string): RunWorkspace {
  return { dir, mounts: [{ hostPath: dir, containerPath: WORKSPACE_PATH }] };
}

/**
 * A fresh git worktree of `gitRoot` on a new branch `airut/<id>`, under
 * `worktreesDir`. Its `.git` file points into the repository's git
 * directory by absolute path, so that directory is mounted at the same path
 * in the container and git works there as it does on the host.
 *
 * @throws RunError `RUN_WORKTREE_FAILED` with git's message.
 */
export async function createWorktree(git: GitRunner, gitRoot: string, worktreesDir: string): Promise<RunWorkspace> {
  const id = `${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  const branch = `airut/${id}`;
  const dir = join(worktreesDir, id);
  try {
    await mkdir(worktreesDir, { recursive: true });
    await git(['worktree', 'add', '-b', branch, dir, 'HEAD'], { cwd: gitRoot });
    const common = Buffer.from((await git(['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: gitRoot })).stdout).toString('utf8').trim();
    return { dir, branch, mounts: [{ hostPath: dir, containerPath: WORKSPACE_PATH }, { hostPath: common, containerPath: common }] };
  } catch (cause) {
    throw new RunError('RUN_WORKTREE_FAILED', `could not create a worktree of ${gitRoot}: ${(cause as Error).message}`, {
      hint: 'The repository needs at least one commit for --worktree; or leave the flag out to work on the repository itself.',
      cause,
    });
  }
}
