import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConversationError } from './error.js';
import { createGitRunner, type GitRunner } from './git.js';
import { Mutex } from './mutex.js';
import { pathExists } from '../fs/exists.js';

/** Options of a {@link GitMirror}. */
export interface GitMirrorOptions {
  /** The real remote (`repo_url`): what the mirror clones and what workspaces' `origin` points at. */
  repoUrl: string;
  /** The repo's state directory; the mirror lives in `<repoStateDir>/git-mirror`. */
  repoStateDir: string;
  /** Branch new workspaces start from; default: the remote's default branch. */
  branch?: string;
  git?: GitRunner;
}

/** A flat file of a directory read from the mirror. */
export interface MirrorFile {
  name: string;
  content: Buffer;
}

/**
 * A bare mirror of a repo's remote. Workspaces are cloned from it, and the
 * files that shape the sandbox (Dockerfile, allowlist) are read from its
 * default branch, so nothing an agent does in a workspace can widen its own
 * sandbox before it is merged upstream.
 */
export class GitMirror {
  /** Path of the bare mirror. */
  readonly path: string;
  private readonly git: GitRunner;
  private readonly lock = new Mutex();

  constructor(private readonly options: GitMirrorOptions) {
    this.path = join(options.repoStateDir, 'git-mirror');
    this.git = options.git ?? createGitRunner();
  }

  /**
   * Clones the mirror when it is missing, otherwise fetches every ref with
   * pruning. Runs under the mirror lock, like every read of the mirror.
   * @throws ConversationError `CONVERSATION_MIRROR_FAILED`
   */
  refresh(): Promise<void> {
    return this.lock.run(async () => {
      try {
        if (await pathExists(this.path)) {
          await this.git(['-C', this.path, 'remote', 'update', '--prune']);
        } else {
          await this.cloneMirror();
        }
      } catch (cause) {
        throw new ConversationError('CONVERSATION_MIRROR_FAILED', `updating the mirror of ${this.options.repoUrl} failed: ${(cause as Error).message}`, {
          hint: 'Check that repo_url is right and reachable from this host with the credentials git is configured with.',
          cause,
        });
      }
    });
  }

  /** The branch workspaces start from: the configured one, else the remote's default (the mirror's HEAD). */
  defaultBranch(): Promise<string> {
    return this.lock.run(() => this.branchUnlocked());
  }

  /**
   * Makes a full, independent clone at `workspace` (objects copied, no
   * alternates, so it works when mounted alone), with `origin` set to the
   * real remote and the start branch checked out, then writes `marker`.
   *
   * It appears atomically: the clone is made in a temporary sibling
   * directory and renamed into place only when complete, and the marker is
   * written last, so a crash at any point leaves either no workspace or one
   * without a marker, which {@link ConversationStore.canResume} refuses and
   * this call replaces. Leftover temporary clones and an incomplete workspace
   * at `workspace` are removed first.
   * @throws ConversationError `CONVERSATION_CLONE_FAILED`; nothing is left at `workspace` then.
   */
  cloneWorkspace(workspace: string, marker: string): Promise<void> {
    return this.lock.run(async () => {
      const temp = `${dirname(workspace)}/.${basename(workspace)}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await removeWorkspaceLeftovers(workspace);
        await rm(marker, { force: true });
        await rm(workspace, { recursive: true, force: true });
        const branch = await this.branchUnlocked();
        await mkdir(dirname(workspace), { recursive: true });
        await this.git(['clone', '--quiet', '--no-hardlinks', '--no-checkout', '--branch', branch, '--', this.path, temp]);
        // Before anything else: from now on a push can only go to the real remote, never to the mirror.
        await this.git(['-C', temp, 'remote', 'set-url', 'origin', this.options.repoUrl]);
        await this.git(['-C', temp, 'checkout', '--quiet', '--force', '-B', branch, `refs/remotes/origin/${branch}`]);
        await this.git(['-C', temp, 'branch', '--quiet', '--set-upstream-to', `origin/${branch}`, branch]);
        await rename(temp, workspace);
        await writeFile(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
      } catch (cause) {
        await rm(temp, { recursive: true, force: true });
        await rm(workspace, { recursive: true, force: true });
        throw new ConversationError('CONVERSATION_CLONE_FAILED', `unable to create the workspace ${workspace}: ${(cause as Error).message}`, { cause });
      }
    });
  }

  /**
   * Marks a workspace made before workspaces carried a completion marker as
   * complete when it is one: it has a commit checked out and its `origin` is
   * not this mirror (a clone cut short has no commit, or still points here).
   * Returns true when `marker` exists afterwards. Never removes anything.
   */
  async adoptWorkspace(workspace: string, marker: string): Promise<boolean> {
    if (await pathExists(marker)) return true;
    if (!(await pathExists(join(workspace, '.git')))) return false;
    const head = await this.git(['-C', workspace, 'rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).then(() => true, () => false);
    if (!head) return false;
    const origin = await this.git(['-C', workspace, 'remote', 'get-url', 'origin']).then(
      (out) => Buffer.from(out.stdout).toString('utf8').trim(),
      () => undefined,
    );
    if (origin === undefined || origin === this.path) return false;
    await writeFile(marker, `${new Date().toISOString()} adopted\n`, { mode: 0o600 });
    return true;
  }

  /**
   * A file from the start branch, or undefined when the branch has no such file.
   * @throws ConversationError `CONVERSATION_GIT_FAILED` when the mirror cannot be read.
   */
  readFile(path: string): Promise<Buffer | undefined> {
    return this.lock.run(async () => {
      const branch = await this.branchUnlocked();
      if (!(await this.hasPath(branch, path))) return undefined;
      return Buffer.from((await this.git(['-C', this.path, 'show', `refs/heads/${branch}:${path}`])).stdout);
    });
  }

  /**
   * The regular files directly in `dir` on the start branch (subdirectories
   * and symlinks left out), or undefined when there is no such directory.
   */
  readDirectory(dir: string): Promise<MirrorFile[] | undefined> {
    return this.lock.run(async () => {
      const branch = await this.branchUnlocked();
      const tree = `refs/heads/${branch}:${dir.replace(/\/+$/, '')}`;
      const listing = await this.git(['-C', this.path, 'ls-tree', '-z', tree]).catch(() => undefined);
      if (listing === undefined) return undefined;
      const files: MirrorFile[] = [];
      for (const entry of Buffer.from(listing.stdout).toString('utf8').split('\0')) {
        // "<mode> <type> <object>\t<name>"; 100644/100755 are regular files.
        const match = /^(100644|100755) blob ([0-9a-f]+)\t(.+)$/.exec(entry);
        if (!match) continue;
        const [, , object, name] = match as unknown as [string, string, string, string];
        files.push({ name, content: Buffer.from((await this.git(['-C', this.path, 'cat-file', 'blob', object])).stdout) });
      }
      return files;
    });
  }

  private async cloneMirror(): Promise<void> {
    await mkdir(this.options.repoStateDir, { recursive: true });
    // Clone beside the target and rename, so a crash never leaves a half mirror that looks complete.
    const temp = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await this.git(['clone', '--quiet', '--mirror', '--', this.options.repoUrl, temp]);
      await rename(temp, this.path);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  private async branchUnlocked(): Promise<string> {
    if (this.options.branch !== undefined) return this.options.branch;
    const head = Buffer.from((await this.git(['-C', this.path, 'symbolic-ref', 'HEAD'])).stdout).toString('utf8').trim();
    return head.replace(/^refs\/heads\//, '');
  }

  private async hasPath(branch: string, path: string): Promise<boolean> {
    const found = await this.git(['-C', this.path, 'cat-file', '-e', `refs/heads/${branch}:${path}`]).then(() => true, () => false);
    return found;
  }
}


/**
 * Removes the temporary clones a crash left beside `workspace`
 * (`.<name>.<hex>.tmp`). Safe only while no clone of that workspace runs.
 */
export async function removeWorkspaceLeftovers(workspace: string): Promise<number> {
  const dir = dirname(workspace);
  const prefix = `.${basename(workspace)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const leftovers = names.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
  for (const name of leftovers) await rm(join(dir, name), { recursive: true, force: true });
  return leftovers.length;
}
