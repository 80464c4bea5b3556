import { buildExecutionResult, type ExecutionResult } from '../../sandbox/claude/stream/index.js';
import { ImageBuildError } from '../../sandbox/image/index.js';
import { AllowlistError, parseAllowlist } from '../../sandbox/network/allowlist/index.js';
import { NetworkSandbox, type NetworkSandboxOptions } from '../../sandbox/network/index.js';
import type { MaskedSecret } from '../../sandbox/network/secrets/index.js';
import type { Sandbox } from '../../sandbox/sandbox.js';
import type { Mount, TaskNetwork } from '../../sandbox/task/index.js';
import type { GitMirror } from '../conversation/index.js';
import type { RepoConfig } from '../config/index.js';
import { credentialPoolsOf } from './credential-pools.js';
import { GatewayError } from './error.js';
import type { TaskRequest, TaskRunner } from './task-runner.js';

/** The allowlist's place in every repository. */
export const ALLOWLIST_PATH = '.airut/network-allowlist.yaml';

/** Options of a {@link SandboxTaskRunner}. */
export interface SandboxTaskRunnerOptions {
  repoId: string;
  repo: RepoConfig;
  sandbox: Sandbox;
  mirror: GitMirror;
  /**
   * Everything of the network sandbox that is the operator's (runtime,
   * prefix, CA, egress, package root); the allowlist and masked secrets come
   * from the repo. `warmPool` defaults to 1 here: a service runs task after
   * task, so one network with a loaded proxy is kept ready (see {@link close}).
   */
  network: Omit<NetworkSandboxOptions, 'allowlist' | 'maskedSecrets' | 'onNetworkLine'>;
}

/**
 * Runs a conversation's task in the sandbox: builds (or reuses) the image from
 * the Dockerfile on the repo's default branch, puts the container behind the
 * network sandbox with the allowlist from that same branch, mounts the
 * conversation's directories and runs Claude Code.
 */
export class SandboxTaskRunner implements TaskRunner {
  /** One network sandbox per allowlist text, so an unchanged allowlist reuses its setup. */
  private networkSandbox: { text: string; sandbox: NetworkSandbox } | undefined;
  private readonly onNetworkLine = new Map<string, TaskRequest['onEvent']>();

  constructor(private readonly options: SandboxTaskRunnerOptions) {}

  async run(request: TaskRequest): Promise<ExecutionResult> {
    const { repo, sandbox } = this.options;
    const emit = request.onEvent;

    emit({ type: 'phase', phase: 'image', state: 'started', detail: repo.container_path });
    const { dockerfile, contextFiles } = await this.imageSources();
    let imageTag: string;
    try {
      // An abort ends a running build at once instead of after it.
      imageTag = await sandbox.ensureImage(dockerfile, contextFiles, {
        signal: request.signal,
        onBuildOutput: (line) => emit({ type: 'build-output', line: line.replace(/\n$/, '') }),
      });
    } catch (error) {
      if (request.signal.aborted && error instanceof ImageBuildError && error.code === 'IMAGE_BUILD_ABORTED') return stoppedBeforeStart();
      throw error;
    }
    emit({ type: 'phase', phase: 'image', state: 'finished', detail: imageTag });
    if (request.signal.aborted) return stoppedBeforeStart();

    let network: TaskNetwork | undefined;
    if (repo.network.sandbox_enabled) {
      emit({ type: 'phase', phase: 'proxy', state: 'started' });
      network = await this.networkFor();
      emit({ type: 'phase', phase: 'proxy', state: 'finished' });
    } else {
      emit({ type: 'phase', phase: 'proxy', state: 'skipped', detail: 'network sandbox disabled for this repo' });
    }

    const { layout } = request;
    const mounts: Mount[] = [
      { hostPath: layout.workspace, containerPath: '/workspace' },
      { hostPath: layout.inbox, containerPath: '/inbox' },
      { hostPath: layout.outbox, containerPath: '/outbox' },
      { hostPath: layout.storage, containerPath: '/storage' },
    ];
    const limits = repo.resource_limits;
    const task = sandbox.createTask({
      executionContextDir: layout.dir,
      imageTag,
      mounts,
      env: credentialPoolsOf(repo).env,
      ...(limits.timeout === undefined ? {} : { timeoutSeconds: limits.timeout }),
      resourceLimits: {
        ...(limits.memory === undefined ? {} : { memory: limits.memory }),
        ...(limits.cpus === undefined ? {} : { cpus: limits.cpus }),
        ...(limits.pids_limit === undefined ? {} : { pidsLimit: limits.pids_limit }),
      },
      ...(network === undefined ? {} : { network }),
    });
    if (request.signal.aborted) return stoppedBeforeStart();
    let running = true;
    let retry: NodeJS.Timeout | undefined;
    // The task accepts a stop only once its container run has begun (after the
    // Claude binary is resolved), so an abort between the image build and then
    // retries until it is taken.
    const stop = (): void => {
      if (running && !task.stop()) retry = setTimeout(stop, 100);
    };
    request.signal.addEventListener('abort', stop);
    this.onNetworkLine.set(task.executionContextId, emit);
    emit({ type: 'phase', phase: 'task', state: 'started' });
    try {
      const result = await task.execute(request.prompt, {
        ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
        model: request.model,
        ...(request.effort === undefined ? {} : { effort: request.effort }),
        onEvent: (event) => emit({ type: 'claude', event }),
        onStderrLine: (line) => emit({ type: 'stderr', line: line.replace(/\n$/, '') }),
      });
      emit({ type: 'phase', phase: 'task', state: 'finished', detail: result.outcome });
      return result;
    } finally {
      running = false;
      clearTimeout(retry);
      request.signal.removeEventListener('abort', stop);
      this.onNetworkLine.delete(task.executionContextId);
    }
  }

  /** The Dockerfile and its flat sibling files from the default branch. */
  private async imageSources(): Promise<{ dockerfile: Buffer; contextFiles: Record<string, Buffer> }> {
    const dir = this.options.repo.container_path.replace(/\/+$/, '');
    const files = await this.options.mirror.readDirectory(dir);
    const dockerfile = files?.find((f) => f.name === 'Dockerfile');
    if (files === undefined || dockerfile === undefined) {
      throw new GatewayError('GATEWAY_DOCKERFILE_MISSING', `repo ${this.options.repoId}: ${dir}/Dockerfile is missing on the default branch`, {
        hint: `Commit a Dockerfile at ${dir}/Dockerfile (or set repos.${this.options.repoId}.container_path) and merge it into the default branch.`,
      });
    }
    const contextFiles: Record<string, Buffer> = {};
    for (const file of files) if (file.name !== 'Dockerfile') contextFiles[file.name] = file.content;
    return { dockerfile: dockerfile.content, contextFiles };
  }

  /** The network sandbox for the allowlist now on the default branch. */
  private async networkFor(): Promise<NetworkSandbox> {
    const { repoId, mirror } = this.options;
    const bytes = await mirror.readFile(ALLOWLIST_PATH);
    if (bytes === undefined) {
      throw new GatewayError('GATEWAY_ALLOWLIST_MISSING', `repo ${repoId}: ${ALLOWLIST_PATH} is missing on the default branch, and the network sandbox is enabled`, {
        hint: `Commit ${ALLOWLIST_PATH} listing the hosts tasks may reach, or set repos.${repoId}.network.sandbox_enabled: false.`,
      });
    }
    const text = bytes.toString('utf8');
    if (this.networkSandbox?.text === text) return this.networkSandbox.sandbox;
    let allowlist;
    try {
      allowlist = parseAllowlist(text, `${ALLOWLIST_PATH} (default branch of ${repoId})`);
    } catch (cause) {
      if (!(cause instanceof AllowlistError)) throw cause;
      throw new GatewayError('GATEWAY_ALLOWLIST_INVALID', `repo ${repoId}: ${cause.message}`, { hint: cause.hint, cause });
    }
    const sandbox = new NetworkSandbox({
      warmPool: 1,
      ...this.options.network,
      allowlist,
      maskedSecrets: credentialPoolsOf(this.options.repo).maskedSecrets,
      githubApps: credentialPoolsOf(this.options.repo).githubApps,
      onNetworkLine: (event, contextId) => {
        if (event.event === 'log') this.onNetworkLine.get(contextId)?.({ type: 'network', event });
      },
    });
    const previous = this.networkSandbox?.sandbox;
    this.networkSandbox = { text, sandbox };
    // Its prepared network was made for the old allowlist's sandbox; tasks still attached to it keep theirs.
    previous?.close().catch(() => {
      // What it could not remove is an orphan of this process, removed at the next startup.
    });
    return sandbox;
  }

  /**
   * Removes the network sandbox's prepared network and proxy and waits for
   * teardowns still running. Call once no task of this runner runs (service
   * shutdown); a later run sets the network sandbox up again.
   */
  async close(): Promise<void> {
    const current = this.networkSandbox?.sandbox;
    this.networkSandbox = undefined;
    await current?.close();
  }
}

/** The result of a run stopped before its container started. */
function stoppedBeforeStart(): ExecutionResult {
  return buildExecutionResult({ exitCode: undefined, timedOut: false, stopped: true, events: [], stderr: '', wallClockMs: 0 });
}

/** The repo's `masked_secrets` in the sandbox's terms. */
export function maskedSecretsOf(repo: RepoConfig): MaskedSecret[] {
  return credentialPoolsOf(repo).maskedSecrets;
}
