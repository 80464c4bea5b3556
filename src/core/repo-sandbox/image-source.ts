import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ContextFiles } from '../../sandbox/index.js';
import { RepoSandboxError } from './error.js';

/** A repository's image definition, read into memory for `Sandbox.ensureImage`. */
export interface ImageSource {
  /** Absolute path the Dockerfile was read from (for messages). */
  dockerfilePath: string;
  dockerfile: Uint8Array;
  /** The flat files beside it (or in `contextDir`); subdirectories are not part of the context. */
  contextFiles: ContextFiles;
}

/**
 * Reads the Dockerfile and the regular files of its context directory (by
 * default the Dockerfile's own directory). Only flat files are taken, so a
 * `COPY` in the Dockerfile can never reach anything else on the host.
 *
 * @throws RepoSandboxError `REPO_SANDBOX_DOCKERFILE_MISSING` naming where it looked and how to create one.
 */
export async function readImageSource(dockerfilePath: string, contextDir?: string): Promise<ImageSource> {
  const path = resolve(dockerfilePath);
  let dockerfile: Uint8Array;
  try {
    dockerfile = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new RepoSandboxError('REPO_SANDBOX_DOCKERFILE_MISSING', `Dockerfile not found: ${path}`, {
        hint: `Create it (for example \`mkdir -p .airut/container && printf 'FROM debian:bookworm\\nWORKDIR /workspace\\n' > .airut/container/Dockerfile\`), or point --dockerfile at an existing one.`,
        cause,
      });
    }
    throw unreadable(path, cause);
  }
  const dir = resolve(contextDir ?? dirname(path));
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    throw unreadable(dir, cause);
  }
  const contextFiles: Record<string, Uint8Array> = {};
  for (const entry of entries) {
    const file = join(dir, entry.name);
    if (!entry.isFile() || file === path) continue;
    try {
      contextFiles[entry.name] = await readFile(file);
    } catch (cause) {
      throw unreadable(file, cause);
    }
  }
  return { dockerfilePath: path, dockerfile, contextFiles };
}

function unreadable(path: string, cause: unknown): RepoSandboxError {
  return new RepoSandboxError('REPO_SANDBOX_FILE_UNREADABLE', `cannot read ${path}: ${(cause as Error).message}`, {
    hint: 'Check that the file exists and that you may read it.',
    cause,
  });
}
