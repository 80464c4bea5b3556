import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

/** Directory holding fake `systemctl`, `loginctl` and `npm` (CommonJS scripts: see bin/package.json); put it first on PATH. */
export const FAKE_BIN_DIR = join(import.meta.dirname, 'bin');

/** The repository root, whose built Airut the fake global install links to. */
const ROOT = REPO_ROOT;

/** One recorded call of a fake executable. */
export interface FakeCall {
  bin: string;
  args: string[];
}

/** PATH with the fake executables in front of the real ones (node, git, podman). */
export function fakePath(): string {
  return [FAKE_BIN_DIR, process.env.PATH ?? ''].join(delimiter);
}

/** Every call recorded in `log`, in order; none when the file does not exist. */
export async function readCalls(log: string): Promise<FakeCall[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as FakeCall);
}

/**
 * Lays out `<prefix>/lib/node_modules/airut` the way `npm install --global`
 * does, from the built package (dist and node_modules linked, package.json and
 * the entry point copied so the fake npm can change them), and returns the npm
 * root and the entry point to run.
 */
export async function fakeGlobalInstall(prefix: string): Promise<{ npmRoot: string; entryPoint: string; packageDir: string }> {
  const npmRoot = join(prefix, 'lib', 'node_modules');
  const packageDir = join(npmRoot, 'airut');
  await mkdir(join(packageDir, 'bin'), { recursive: true });
  await cp(join(ROOT, 'package.json'), join(packageDir, 'package.json'));
  await cp(join(ROOT, 'bin', 'run.js'), join(packageDir, 'bin', 'run.js'));
  await symlink(join(ROOT, 'dist'), join(packageDir, 'dist'));
  await symlink(join(ROOT, 'node_modules'), join(packageDir, 'node_modules'));
  return { npmRoot, entryPoint: join(packageDir, 'bin', 'run.js'), packageDir };
}
