import { lstat, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { ProcessRunner } from '../process/index.js';
import { entryExists } from '../fs/exists.js';

/** How this copy of Airut was installed, which decides how it is upgraded. */
export type InstallMethod =
  | { kind: 'npm-global'; packageRoot: string }
  | { kind: 'oclif-tarball'; binPath: string }
  | { kind: 'npx'; packageRoot: string }
  | { kind: 'git'; packageRoot: string }
  | { kind: 'unknown'; packageRoot: string };

/** Inputs of {@link detectInstallMethod}. */
export interface DetectOptions {
  /** The package directory of the running Airut (oclif's `config.root`). */
  packageRoot: string;
  packageName: string;
  runner: ProcessRunner;
  env: Readonly<Record<string, string | undefined>>;
  /**
   * The launcher script of an oclif tarball install; its `bin/airut` exports it
   * as `AIRUT_BINPATH` (oclif's `config.binPath`).
   */
  binPath: string | undefined;
}


async function realOrSelf(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    return file;
  }
}

/**
 * Tells how Airut was installed. A global npm install is the package directory
 * under `npm root -g` itself (not a symlink to it: that is `npm link` of a
 * checkout); npx runs from npm's `_npx` cache; a checkout has `.git`.
 */
export async function detectInstallMethod(options: DetectOptions): Promise<InstallMethod> {
  const { packageRoot } = options;
  if (options.binPath !== undefined && options.binPath !== '') return { kind: 'oclif-tarball', binPath: options.binPath };
  if (packageRoot.includes(`${sep}_npx${sep}`) || options.env.npm_command === 'exec') return { kind: 'npx', packageRoot };
  const npmRoot = await options.runner('npm', ['root', '--global'], { env: options.env, timeoutMs: 30_000 });
  if (npmRoot.exitCode === 0 && npmRoot.stdout !== '') {
    const installed = join(npmRoot.stdout.trim(), options.packageName);
    const stat = await lstat(installed).catch(() => undefined);
    if (stat?.isDirectory() === true && await realOrSelf(installed) === await realOrSelf(packageRoot)) {
      return { kind: 'npm-global', packageRoot };
    }
  }
  if (await entryExists(join(packageRoot, '.git'))) return { kind: 'git', packageRoot };
  return { kind: 'unknown', packageRoot };
}
