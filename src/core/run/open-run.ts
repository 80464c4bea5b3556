import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageBuildError } from '../../sandbox/image/index.js';
import { Sandbox } from '../../sandbox/sandbox.js';
import { assertNetworkBackend, NETWORK_LOG_FILE, NetworkSandbox } from '../../sandbox/network/index.js';
import { ContainerRuntime } from '../../sandbox/runtime/index.js';
import type { TaskNetwork } from '../../sandbox/task/index.js';
import { createGitRunner, type GitRunner } from '../conversation/git.js';
import { CLAUDE_HOME_DIR } from './repo-state.js';
import type { RunEventSink } from './run-event.js';
import type { RunSettings } from './run-settings.js';
import { createWorktree, liveWorkspace, type RunWorkspace } from './workspace.js';

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

/** A run's sandbox, image and network, ready for a task. */
export interface OpenRun {
  sandbox: Sandbox;
  imageTag: string;
  network: TaskNetwork | undefined;
  /** A directory of this run alone: no other run shares its logs. */
  contextDir: string;
  workspace: RunWorkspace;
  /** Copies the network log where asked, removes the run's files, shuts the sandbox down. */
  close(): Promise<void>;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Tells a run in preparation that it should stop: `stopped` is checked
 * between steps, `signal` ends a step that can be cut short (the image build).
 */
export interface StopSignal {
  readonly stopped: boolean;
  readonly signal?: AbortSignal;
}

/**
 * Prepares everything a task needs, reporting each phase on `emit`: the
 * sandbox (orphans of dead runs removed), the image, the workspace (live or a
 * new worktree) and the network sandbox. Every run gets its own execution
 * context, so two runs in one repository never touch each other's proxy,
 * network or logs.
 *
 * @throws ImageBuildError `IMAGE_BUILD_ABORTED` when `stop.signal` aborts the image build (see {@link isStoppedDuringPreparation}).
 */
export async function openRun(settings: RunSettings, emit: RunEventSink, deps: RunDependencies = {}, stop: StopSignal = { stopped: false }): Promise<OpenRun> {
  const runtime = deps.runtime ?? new ContainerRuntime({ command: settings.containerCommand });
  const sandbox = new Sandbox({
    runtime,
    resourcePrefix: CLI_RESOURCE_PREFIX,
    stateDir: settings.stateDir,
    ...(settings.maxImageAgeHours === undefined ? {} : { maxImageAgeHours: settings.maxImageAgeHours }),
    tmpDir: deps.tmpDir ?? tmpdir(),
  });
  const cleanups: (() => Promise<void>)[] = [() => sandbox.shutdown()];
  const close = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    for (const message of settings.warnings) emit({ type: 'warning', message });
    // Removing dead runs' leftovers and checking the image are independent:
    // they overlap. Both end before the network sandbox is created.
    const leftovers = sandbox.startup();
    if (settings.networkSandbox && runtime.kind === 'podman') {
      // An unsupported network backend fails the run at once, before an image is built for nothing.
      const backend = await Promise.allSettled([assertNetworkBackend(runtime)]);
      if (backend[0].status === 'rejected') {
        await leftovers.catch(() => undefined);
        throw backend[0].reason;
      }
    }
    const image = (async (): Promise<string> => {
      emit({ type: 'phase', phase: 'image', state: 'started', detail: settings.image.dockerfilePath });
      const tag = await sandbox.ensureImage(settings.image.dockerfile, settings.image.contextFiles, {
        passthrough: settings.mode === 'command',
        ...(stop.signal === undefined ? {} : { signal: stop.signal }),
        onBuildOutput: (line) => emit({ type: 'build-output', line: line.replace(/\n$/, '') }),
      });
      emit({ type: 'phase', phase: 'image', state: 'finished', detail: tag });
      return tag;
    })();
    // Settled both before going on or failing, so nothing runs on after close().
    const [imageResult, leftoversResult] = await Promise.allSettled([image, leftovers]);
    if (imageResult.status === 'rejected') throw imageResult.reason;
    if (leftoversResult.status === 'rejected') throw leftoversResult.reason;
    const imageTag = imageResult.value;

    const contextDir = await runContextDir(settings, deps.tmpDir);
    cleanups.push(() => rm(contextDir, { recursive: true, force: true }));
    if (settings.networkLog !== undefined) {
      const target = settings.networkLog;
      // Runs before the directory is removed (cleanups run in reverse).
      cleanups.push(() => copyNetworkLog(join(contextDir, NETWORK_LOG_FILE), target));
    }

    const workspace = settings.worktree && settings.gitRoot !== undefined
      ? await createWorktree(deps.git ?? createGitRunner(), settings.gitRoot, join(settings.repoStateDir, 'worktrees'))
      : liveWorkspace(settings.repoRoot);

    let network: TaskNetwork | undefined;
    if (settings.networkSandbox && !stop.stopped) {
      emit({ type: 'phase', phase: 'proxy', state: 'started' });
      const sandboxed = new NetworkSandbox({
        runtime,
        resourcePrefix: CLI_RESOURCE_PREFIX,
        caDir: settings.caDir,
        allowlist: settings.allowlist,
        maskedSecrets: settings.maskedSecrets,
        ...settings.network,
        packageRoot: deps.packageRoot ?? PACKAGE_ROOT,
        tmpDir: deps.tmpDir ?? tmpdir(),
        onNetworkLine: (event) => {
          if (event.event === 'log') emit({ type: 'network', event });
        },
      });
      await sandboxed.startup();
      emit({ type: 'phase', phase: 'proxy', state: 'finished' });
      network = sandboxed;
    } else {
      emit({ type: 'phase', phase: 'proxy', state: 'skipped', detail: 'network sandbox off' });
    }
    return { sandbox, imageTag, network, contextDir, workspace, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * A fresh directory for one run. Prompt runs live under the repository's
 * state dir with Claude's home linked in, so sessions outlive the run while
 * logs stay per run; command runs only need a temp directory.
 */
async function runContextDir(settings: RunSettings, tmpDir: string | undefined): Promise<string> {
  if (settings.mode === 'command') return mkdtemp(join(tmpDir ?? tmpdir(), 'airut-exec-'));
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

/** True when `error` is a preparation step cut short by the run's own stop signal. */
export function isStoppedDuringPreparation(error: unknown, stop: StopSignal): boolean {
  return stop.signal?.aborted === true && error instanceof ImageBuildError && error.code === 'IMAGE_BUILD_ABORTED';
}
