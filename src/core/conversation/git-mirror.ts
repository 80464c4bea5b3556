import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
   * Makes a full, independent clone at `dest` (objects copied, no alternates,
   * so it works when mounted alone), with `origin` set to the real remote and
   * the start branch checked out.
   * @throws ConversationError `CONVERSATION_CLONE_FAILED`; nothing is left at `dest` then.
   */
  cloneWorkspace(dest: string): Promise<void> {
    return this.lock.run(async () => {
      try {
        const branch = await this.branchUnlocked();
        await mkdir(dirname(dest), { recursive: true });
        await this.git(['clone', '--quiet', '--no-hardlinks', '--branch', branch, '--', this.path, dest]);
        await this.git(['-C', dest, 'remote', 'set-url', 'origin', this.options.repoUrl]);
      } catch (cause) {
        await rm(dest, { recursive: true, force: true });
        throw new ConversationError('CONVERSATION_CLONE_FAILED', `unable to create the workspace ${dest}: ${(cause as Error).message}`, { cause });
      }
    });
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

