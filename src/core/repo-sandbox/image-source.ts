import { posix, resolve } from 'node:path';
import type { ContextFiles } from '../../sandbox/index.js';
import { RepoSandboxError } from './error.js';
import { checkoutFiles, type RepoFiles } from './repo-files.js';

/** A repository's image definition, read into memory for `Sandbox.ensureImage`. */
export interface ImageSource {
  /** Where the Dockerfile was read from (for messages). */
  dockerfilePath: string;
  dockerfile: Uint8Array;
  /** The flat files beside it (or in `contextDir`); subdirectories are not part of the context. */
  contextFiles: ContextFiles;
}

/**
 * Reads the Dockerfile and the regular files of its context directory (by
 * default the Dockerfile's own directory) from a checkout or the default
 * branch. Only flat files are taken, so a `COPY` in the Dockerfile can never
 * reach anything else.
 *
 * @returns undefined when there is no Dockerfile at that path; each caller says what to do about it.
 */
export async function findImageSource(files: RepoFiles, dockerfilePath: string, contextDir?: string): Promise<ImageSource | undefined> {
  const dockerfile = await files.readFile(dockerfilePath);
  if (dockerfile === undefined) return undefined;
  const ownDir = posix.dirname(dockerfilePath);
  const dir = contextDir ?? ownDir;
  const sameDir = files.describe(dir) === files.describe(ownDir);
  const contextFiles: Record<string, Uint8Array> = {};
  for (const file of (await files.readDirectory(dir)) ?? []) {
    if (sameDir && file.name === posix.basename(dockerfilePath)) continue;
    contextFiles[file.name] = file.content;
  }
  return { dockerfilePath: files.describe(dockerfilePath), dockerfile, contextFiles };
}

/**
 * {@link findImageSource} on this machine's files, for `airut run` and `sandbox exec`.
 *
 * @throws RepoSandboxError `REPO_SANDBOX_DOCKERFILE_MISSING` naming where it looked and how to create one.
 */
export async function readImageSource(dockerfilePath: string, contextDir?: string): Promise<ImageSource> {
  const path = resolve(dockerfilePath);
  const found = await findImageSource(checkoutFiles('/'), path, contextDir === undefined ? undefined : resolve(contextDir));
  if (found !== undefined) return found;
  throw new RepoSandboxError('REPO_SANDBOX_DOCKERFILE_MISSING', `Dockerfile not found: ${path}`, {
    hint: `Create it (for example \`mkdir -p .airut/container && printf 'FROM debian:bookworm\\nWORKDIR /workspace\\n' > .airut/container/Dockerfile\`), or point --dockerfile at an existing one.`,
  });
}
