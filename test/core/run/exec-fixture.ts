import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { Test } from 'tap';
import { OWNER_LABEL, type ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { BIN, tempHome } from '../../harness/cli.js';
import { testContainersConf } from '../../harness/podman.js';

/** The test repository: a Dockerfile FROM the test base image, an allowlist and a sandbox.yaml. */
export const BASIC_REPO = fileURLToPath(new URL('../../fixtures/repos/basic', import.meta.url));

/** A copy of a fixture repository with a temp HOME, TMPDIR and the test containers.conf, all removed at teardown. */
export interface ExecFixture {
  /** The repository copy. */
  repo: string;
  /** Environment of every CLI call: a clean one, never the test runner's. */
  env: Record<string, string>;
  /** The CLI's temp dir (checked empty after runs). */
  tmp: string;
  /** Runs `airut ARGS` in `cwd` (default: the repository). */
  run(args: string[], options?: { cwd?: string; input?: string; env?: Record<string, string> }): ReturnType<typeof runCli>;
  /** Starts `airut ARGS` in the repository without waiting; the caller awaits (or kills) it. */
  start(args: string[]): ReturnType<typeof startCli>;
}

/**
 * Copies `fixture` (default {@link BASIC_REPO}) into a temp dir, optionally
 * makes it a git repository with one commit, and overwrites `files` in it.
 */
export async function execFixture(t: Test, options: { git?: boolean; files?: Record<string, string>; fixture?: string } = {}): Promise<ExecFixture> {
  const home = await tempHome();
  t.teardown(home.cleanup);
  const repo = join(home.home, 'repo');
  await cp(options.fixture ?? BASIC_REPO, repo, { recursive: true });
  for (const [name, text] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(repo, name)), { recursive: true });
    await writeFile(join(repo, name), text);
  }
  if (options.git ?? true) {
    const git = (...args: string[]) => execa('git', args, { cwd: repo, env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' } });
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'fixture');
  }
  const tmp = join(home.home, 'tmp');
  await mkdir(tmp);
  const env = { ...home.env, TMPDIR: tmp, CONTAINERS_CONF: testContainersConf() };
  return {
    repo,
    env,
    tmp,
    run: (args, runOptions = {}) => runCli(args, runOptions.cwd ?? repo, { ...env, ...(runOptions.env ?? {}) }, runOptions.input),
    start: (args) => startCli(args, repo, env),
  };
}

function startCli(args: string[], cwd: string, env: Record<string, string>) {
  return execa(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, extendEnv: false, reject: false, stdin: 'ignore', forceKillAfterDelay: false });
}

/** `airut ARGS` in `cwd` with exactly `env` (plus PATH), as a user runs the built CLI. */
async function runCli(args: string[], cwd: string, env: Record<string, string>, input = '') {
  const child = execa(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, extendEnv: false, reject: false, input });
  // The pid labels every container and network the run creates.
  return { ...(await child), pid: child.pid };
}

/**
 * An `--internal` network standing in for the proxy's way out: nothing on
 * it leaves the machine. Removed at teardown.
 */
export async function internalEgressNetwork(t: Test, runtime: ContainerRuntime): Promise<string> {
  const name = `airut-t-exec-egress-${randomBytes(3).toString('hex')}`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', name]);
  t.teardown(async () => { await runtime.call(['network', 'rm', '-f', name]); });
  return name;
}

/** Containers and networks a CLI process (by pid) left behind. */
export async function leftoversOf(runtime: ContainerRuntime, pid: number | undefined): Promise<string[]> {
  const filter = `label=${OWNER_LABEL}=${String(pid)}`;
  const containers = (await runtime.run(['ps', '-a', '--filter', filter, '--format', '{{.Names}}'])).stdout.split('\n');
  const networks = (await runtime.run(['network', 'ls', '--filter', filter, '--format', '{{.Name}}'])).stdout.split('\n');
  return [...containers, ...networks].filter(Boolean);
}

/** Files left in a directory. */
export async function filesIn(dir: string): Promise<string[]> {
  return readdir(dir);
}

/** A private temp directory removed at teardown. */
export async function scratchDir(t: Test, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `airut-t-${label}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
