import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClaudeBinaryCache, ContainerRuntime, NETWORK_LOG_FILE, NetworkSandbox, Sandbox } from '../../sandbox/index.js';
import { createGitRunner, type GitRunner } from '../conversation/git.js';
import { runTask, type ClaudeBinarySource, type TaskContext, type TaskNetworkSource, type TaskResultOf, type TaskRun, type TaskSpec, type TaskWork } from '../pipeline/index.js';
import type { RunEventSink } from './run-event.js';
import { CLAUDE_HOME_DIR } from './repo-state.js';
import type { RunSettings } from './run-settings.js';
import { createWorktree, liveWorkspace, type RunWorkspace } from './workspace.js';

/** The name a `--budget-usd` cap has in refusals and results: what to raise. */
const BUDGET_FLAG = '--budget-usd';

/** Resource prefix of command-line runs: apart from the gateway's, so neither cleans up the other. */
export const CLI_RESOURCE_PREFIX = 'airut-cli';

/** The world a run touches, with production defaults; tests pass their own. */
export interface RunDependencies {
  /** Default: the engine named by `settings.containerCommand`. */
  runtime?: ContainerRuntime;
  /** Root of the installed package (holds `dist/sandbox/proxy/main.js`). */
  packageRoot?: string;
  /** Temp directory for per-run files. Default: the OS temp dir. */
  tmpDir?: string;
  /** Runs git (for `--worktree`). */
  git?: GitRunner;
}

/** A command-line run as the task pipeline takes it, with what only the command line needs afterwards. */
export interface CliTask<W extends TaskWork> {
  spec: TaskSpec<W>;
  /** The run's own sandbox; shut down once the task is over. */
  sandbox: Sandbox;
  /** Where the run worked, once its context was made. */
  workspace(): RunWorkspace | undefined;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The pipeline spec of a command-line run: a sandbox of its own (dead runs'
 * leftovers removed while the image is checked), the image and allowlist
 * read from the repository's `.airut/` by {@link resolveRunSettings}, a
 * fresh execution context (two runs in one repository never share a proxy,
 * network or logs), the live repository or a new worktree as the workspace,
 * and a network sandbox of its own with the run's masked secrets.
 */
export function cliTask<W extends TaskWork>(settings: RunSettings, work: W, deps: RunDependencies = {}): CliTask<W> {
  const runtime = deps.runtime ?? new ContainerRuntime({ command: settings.containerCommand });
  const tmpDir = deps.tmpDir ?? tmpdir();
  const sandbox = new Sandbox({
    runtime,
    resourcePrefix: CLI_RESOURCE_PREFIX,
    stateDir: settings.stateDir,
    ...(settings.maxImageAgeHours === undefined ? {} : { maxImageAgeHours: settings.maxImageAgeHours }),
    tmpDir,
  });
  let workspace: RunWorkspace | undefined;
  const context = async (): Promise<TaskContext> => {
    const dir = await runContextDir(settings, tmpDir);
    const release = async (): Promise<void> => {
      if (settings.networkLog !== undefined) await copyNetworkLog(join(dir, NETWORK_LOG_FILE), settings.networkLog);
      await rm(dir, { recursive: true, force: true });
    };
    try {
      workspace = settings.worktree && settings.gitRoot !== undefined
        ? await createWorktree(deps.git ?? createGitRunner(), settings.gitRoot, join(settings.repoStateDir, 'worktrees'))
        : liveWorkspace(settings.repoRoot);
    } catch (error) {
      await release();
      throw error;
    }
    return { dir, mounts: [...workspace.mounts, ...settings.mounts], release };
  };
  const network: TaskNetworkSource = {
    async open(_contextId, onLine) {
      const sandboxed = new NetworkSandbox({
        runtime,
        resourcePrefix: CLI_RESOURCE_PREFIX,
        caDir: settings.caDir,
        allowlist: settings.allowlist,
        maskedSecrets: settings.maskedSecrets,
        signingCredentials: settings.config.signingCredentials,
        ...settings.network,
        packageRoot: deps.packageRoot ?? PACKAGE_ROOT,
        tmpDir,
        onNetworkLine: (event) => {
          if (event.event === 'log') onLine(event);
        },
      });
      await sandboxed.startup();
      if (settings.budgetUsd === undefined) return { network: sandboxed };
      const budgets = [{ name: BUDGET_FLAG, unit: 'usd' as const, limit: settings.budgetUsd, spent_before: 0 }];
      return { network: { attach: (id: string, dir: string) => sandboxed.attach(id, dir, { budgets }) } };
    },
  };
  return {
    sandbox,
    workspace: () => workspace,
    spec: {
      sandbox,
      work,
      imageLabel: settings.image.dockerfilePath,
      image: () => Promise.resolve(settings.image),
      hostReady: () => sandbox.startup(),
      context,
      network: settings.networkSandbox ? network : { off: 'network sandbox off' },
      env: settings.containerEnv,
      ...(settings.timeoutSeconds === undefined ? {} : { timeoutSeconds: settings.timeoutSeconds }),
      resourceLimits: settings.resourceLimits,
      warnings: settings.warnings,
    },
  };
}

/** Where a `--worktree` run worked, added to its result. */
export type WithWorktree<R> = R & { worktree?: { path: string; branch: string } };

/**
 * Runs a command-line task through the pipeline: the result carries the
 * worktree when one was made, `finish` runs on it before the run counts as
 * over (the last session is recorded there), and the run's sandbox is shut
 * down on every path.
 */
export function runCliTask<W extends TaskWork>(
  task: CliTask<W>,
  emit: RunEventSink,
  finish: (result: WithWorktree<TaskResultOf<W>>) => Promise<void> | void = () => undefined,
): TaskRun<WithWorktree<TaskResultOf<W>>> {
  const run = runTask(task.spec, emit);
  const result = (async (): Promise<WithWorktree<TaskResultOf<W>>> => {
    try {
      const executed = await run.result;
      const workspace = task.workspace();
      // A conditional result type: TypeScript cannot see that adding an optional field keeps it.
      const finished = (workspace?.branch === undefined
        ? executed
        : { ...executed, worktree: { path: workspace.dir, branch: workspace.branch } }) as WithWorktree<TaskResultOf<W>>;
      await finish(finished);
      return finished;
    } finally {
      await task.sandbox.shutdown();
    }
  })();
  const settled = (): Promise<void> => result.then(() => undefined, () => undefined);
  return {
    result,
    stop: async () => { await run.stop(); await settled(); },
    kill: async () => { await run.kill(); await settled(); },
  };
}

/** Claude Code as the settings ask for it: `--claude-binary`, or the cache under the cache dir. */
export function claudeBinarySource(settings: RunSettings): ClaudeBinarySource {
  if (settings.claude.binaryPath !== undefined) return { kind: 'path', path: settings.claude.binaryPath };
  return { kind: 'cache', cache: new ClaudeBinaryCache({ cacheDir: join(settings.cacheDir, 'claude') }), version: settings.claude.version ?? 'latest' };
}

/**
 * A fresh directory for one run. Prompt runs live under the repository's
 * state dir with Claude's home linked in, so sessions outlive the run while
 * logs stay per run; command runs only need a temp directory.
 */
async function runContextDir(settings: RunSettings, tmpDir: string): Promise<string> {
  if (settings.mode === 'command') return mkdtemp(join(tmpDir, 'airut-exec-'));
  const dir = join(settings.repoStateDir, 'runs', `${Date.now()}-${randomBytes(4).toString('hex')}`);
  const claudeHome = join(settings.repoStateDir, CLAUDE_HOME_DIR);
  await mkdir(claudeHome, { recursive: true });
  await mkdir(dir, { recursive: true });
  await symlink(claudeHome, join(dir, CLAUDE_HOME_DIR));
  return dir;
}

async function copyNetworkLog(from: string, to: string): Promise<void> {
  const text = await readFile(from).catch(() => Buffer.alloc(0));
  await mkdir(dirname(to), { recursive: true });
  await appendFile(to, text);
}
