import { access, constants, stat } from 'node:fs/promises';
import { ClaudeBinaryError } from './error.js';
import type { ClaudeBinaryCache, EnsureOptions } from './claude-binary-cache.js';
import type { ClaudeVersionRequest } from './version.js';

/** Where the Claude Code binary for a run comes from. */
export interface ResolveClaudeBinaryOptions extends EnsureOptions {
  /** A binary the user named (e.g. config `claude_binary`); skips the cache entirely. */
  explicitPath?: string | undefined;
  /** Where `explicitPath` came from (a config key, a flag), quoted in errors. */
  explicitPathSource?: string;
  /** The version to take from the cache when no explicit path is given. */
  version: ClaudeVersionRequest;
  cache: ClaudeBinaryCache;
}

/** The binary to mount into the container. */
export interface ResolvedClaudeBinary {
  readonly path: string;
  /** The exact version, unknown for an explicit path. */
  readonly version: string | undefined;
  readonly warnings: readonly string[];
}

/**
 * Picks the Claude Code binary for a run: the explicit path when one is given
 * (it must be an executable file), otherwise `cache.ensure(version)`.
 *
 * @throws ClaudeBinaryError `CLAUDE_BIN_EXPLICIT_PATH` for a missing or non-executable explicit path, or any cache error
 */
export async function resolveClaudeBinary(options: ResolveClaudeBinaryOptions): Promise<ResolvedClaudeBinary> {
  const { explicitPath } = options;
  if (explicitPath === undefined) {
    const found = await options.cache.ensure(options.version, options.onProgress ? { onProgress: options.onProgress } : {});
    return { path: found.path, version: found.version, warnings: found.warnings };
  }
  const source = options.explicitPathSource ?? 'the explicit claude binary path';
  let isFile = false;
  try {
    isFile = (await stat(explicitPath)).isFile();
    await access(explicitPath, constants.X_OK);
  } catch (err) {
    throw new ClaudeBinaryError('CLAUDE_BIN_EXPLICIT_PATH', `The Claude Code binary ${explicitPath} (from ${source}) is not usable: ${(err as Error).message}`, {
      hint: `Point ${source} at an existing executable Linux claude binary, or remove it to use the cached download.`,
      cause: err,
    });
  }
  if (!isFile) {
    throw new ClaudeBinaryError('CLAUDE_BIN_EXPLICIT_PATH', `The Claude Code binary ${explicitPath} (from ${source}) is not a regular file`, {
      hint: `Point ${source} at the claude executable itself, not a directory.`,
    });
  }
  return { path: explicitPath, version: undefined, warnings: [] };
}
