import {
  AllowlistError,
  NetworkSandbox,
  type CommandResult,
  type ExecutionResult,
  type HoldEndEvent,
  type HoldEvent,
  type MaskedSecret,
  type NetworkLogEvent,
  type NetworkSandboxOptions,
  type ProxyBudgetCap,
  type TaskNetworkOptions,
  type Sandbox,
} from '../../sandbox/index.js';
import { dirname, join } from 'node:path';
import { budgetCaps, budgetSettingsOf, needsLedger, RunSpend, SpendLedger } from '../budgets/index.js';
import type { GitMirror } from '../conversation/index.js';
import type { RepoConfig } from '../config/index.js';
import { runTask, type TaskImageSource, type TaskNetworkSource, type TaskSpec, type TaskWork } from '../pipeline/index.js';
import { REPO_SANDBOX_PATHS, findImageSource, readAllowlist } from '../repo-sandbox/index.js';
import { credentialPoolsOf } from './credential-pools.js';
import { GatewayError } from './error.js';
import { mirrorFiles } from './mirror-files.js';
import type { RunEventSink } from '../run/index.js';
import type { CommandRequest, TaskRequest, TaskRunner } from './task-runner.js';

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
  /** What the repo's runs spent, for its conversation and day budgets; default `budget-spend.json` beside the git mirror. */
  spendLedger?: SpendLedger;
}

/**
 * Runs a conversation's task through the task pipeline: the image from the
 * Dockerfile on the repo's default branch, the network sandbox with the
 * allowlist from that same branch and the repo's masked secrets, the
 * conversation's directories as mounts, Claude Code as the sandbox resolves it.
 */
export class SandboxTaskRunner implements TaskRunner {
  /** One network sandbox per allowlist text, so an unchanged allowlist reuses its setup. */
  private networkSandbox: { text: string; sandbox: NetworkSandbox } | undefined;
  /** Where each running task's network lines and hold events go, by execution context id. */
  private readonly onNetworkLine = new Map<string, (event: NetworkLogEvent | HoldEvent | HoldEndEvent) => void>();
  /** The network sandbox each running task is attached to, by execution context id: where its hold answers go. */
  private readonly taskSandbox = new Map<string, NetworkSandbox>();

  private readonly ledger: SpendLedger;

  constructor(private readonly options: SandboxTaskRunnerOptions) {
    this.ledger = options.spendLedger ?? new SpendLedger(join(dirname(options.mirror.path), 'budget-spend.json'));
  }

  run(request: TaskRequest): Promise<ExecutionResult> {
    const work = {
      kind: 'prompt' as const,
      prompt: request.prompt,
      binary: { kind: 'sandbox' as const },
      model: request.model,
      ...(request.sessionId === undefined ? {} : { sessionId: request.sessionId }),
      ...(request.effort === undefined ? {} : { effort: request.effort }),
    };
    return this.withBudgets(request, (caps, onEvent) => runTask(this.taskSpec({ ...request, onEvent }, work, undefined, caps), onEvent).result);
  }

  /** Runs a command (a schedule's trigger) the same way, without Claude; its stderr lines are events too. */
  runCommand(request: CommandRequest): Promise<CommandResult> {
    const work = {
      kind: 'command' as const,
      argv: request.argv,
      onStdout: () => undefined,
      onStderr: (line: string) => request.onEvent({ type: 'stderr', line: line.replace(/\n$/, '') }),
    };
    return this.withBudgets(request, (caps, onEvent) => runTask(this.taskSpec({ ...request, onEvent }, work, request.timeoutSeconds, caps), onEvent).result);
  }

  /**
   * Runs `start` with the caps of this run (the run cap; the conversation and
   * day caps less what earlier runs spent), then adds what the proxy counted
   * to the ledger, whatever the outcome.
   */
  private async withBudgets<R>(request: TaskRequest | CommandRequest, start: (caps: ProxyBudgetCap[], onEvent: RunEventSink) => Promise<R>): Promise<R> {
    if (!this.options.repo.network.sandbox_enabled) return start([], request.onEvent);
    const keyPrefix = `repos.${this.options.repoId}.budgets`;
    const settings = budgetSettingsOf(this.options.repo.budgets, keyPrefix);
    const ledger = needsLedger(settings);
    const prior = ledger ? await this.ledger.prior(request.conversationId) : { conversation: 0, day: 0 };
    const spend = new RunSpend();
    const onEvent: RunEventSink = (event) => {
      if (event.type === 'network') spend.observe(event.event);
      request.onEvent(event);
    };
    try {
      return await start(budgetCaps(settings, prior, keyPrefix), onEvent);
    } finally {
      if (ledger) await this.ledger.record(request.conversationId, spend.usd);
    }
  }

  /** The pipeline spec of one task in a conversation's directories. */
  private taskSpec<W extends TaskWork>(request: TaskRequest | CommandRequest, work: W, timeoutSeconds?: number, budgets: ProxyBudgetCap[] = []): TaskSpec<W> {
    const { repo, sandbox } = this.options;
    const { layout } = request;
    const limits = repo.resource_limits;
    const network: TaskNetworkSource = {
      open: async (contextId, onLine) => {
        const opened = await this.networkFor();
        this.onNetworkLine.set(contextId, onLine);
        this.taskSandbox.set(contextId, opened);
        const approvals = 'approvals' in request ? request.approvals ?? [] : [];
        // The conversation's approvals and this run's budgets reach this task's proxy alone.
        const task: TaskNetworkOptions = {
          ...(approvals.length === 0 ? {} : { allowlist: opened.allowlist.withApprovals(approvals) }),
          ...(budgets.length === 0 ? {} : { budgets }),
        };
        const network = approvals.length === 0 && budgets.length === 0 ? opened : {
          attach: (id: string, dir: string) => opened.attach(id, dir, task),
        };
        return { network, release: () => { this.onNetworkLine.delete(contextId); this.taskSandbox.delete(contextId); } };
      },
    };
    return {
      sandbox,
      work,
      imageLabel: repo.container_path,
      image: () => this.imageSource(),
      context: () => Promise.resolve({
        dir: layout.dir,
        mounts: [
          { hostPath: layout.workspace, containerPath: '/workspace' },
          { hostPath: layout.inbox, containerPath: '/inbox' },
          { hostPath: layout.outbox, containerPath: '/outbox' },
          { hostPath: layout.storage, containerPath: '/storage' },
        ],
      }),
      network: repo.network.sandbox_enabled ? network : { off: 'network sandbox disabled for this repo' },
      env: credentialPoolsOf(repo).env,
      ...((timeoutSeconds ?? limits.timeout) === undefined ? {} : { timeoutSeconds: timeoutSeconds ?? limits.timeout }),
      resourceLimits: {
        ...(limits.memory === undefined ? {} : { memory: limits.memory }),
        ...(limits.cpus === undefined ? {} : { cpus: limits.cpus }),
        ...(limits.pids_limit === undefined ? {} : { pidsLimit: limits.pids_limit }),
      },
      signal: request.signal,
    };
  }

  /** The Dockerfile and its flat sibling files from the default branch. */
  private async imageSource(): Promise<TaskImageSource> {
    const dir = this.options.repo.container_path.replace(/\/+$/, '');
    const found = await findImageSource(mirrorFiles(this.options.mirror, this.options.repoId), `${dir}/Dockerfile`);
    if (found === undefined) {
      throw new GatewayError('GATEWAY_DOCKERFILE_MISSING', `repo ${this.options.repoId}: ${dir}/Dockerfile is missing on the default branch`, {
        hint: `Commit a Dockerfile at ${dir}/Dockerfile (or set repos.${this.options.repoId}.container_path) and merge it into the default branch.`,
      });
    }
    return found;
  }

  /** The network sandbox for the allowlist now on the default branch; unlike a CLI run, a task never runs without that file. */
  private async networkFor(): Promise<NetworkSandbox> {
    const { repoId } = this.options;
    const path = REPO_SANDBOX_PATHS.allowlist;
    let read;
    try {
      read = await readAllowlist(mirrorFiles(this.options.mirror, this.options.repoId), path);
    } catch (cause) {
      if (!(cause instanceof AllowlistError)) throw cause;
      throw new GatewayError('GATEWAY_ALLOWLIST_INVALID', `repo ${repoId}: ${cause.message}`, { hint: cause.hint, cause });
    }
    if (!read.found) {
      throw new GatewayError('GATEWAY_ALLOWLIST_MISSING', `repo ${repoId}: ${path} is missing on the default branch, and the network sandbox is enabled`, {
        hint: `Commit ${path} listing the hosts tasks may reach, or set repos.${repoId}.network.sandbox_enabled: false.`,
      });
    }
    const { text, allowlist } = read;
    if (this.networkSandbox?.text === text) return this.networkSandbox.sandbox;
    const sandbox = new NetworkSandbox({
      warmPool: 1,
      ...this.options.network,
      allowlist,
      maskedSecrets: credentialPoolsOf(this.options.repo).maskedSecrets,
      githubApps: credentialPoolsOf(this.options.repo).githubApps,
      signingCredentials: credentialPoolsOf(this.options.repo).signingCredentials,
      ...(this.options.repo.network.approval_hold_seconds > 0 ? { approvalHoldSeconds: this.options.repo.network.approval_hold_seconds } : {}),
      onNetworkLine: (event, contextId) => {
        if (event.event === 'log' || event.event === 'hold' || event.event === 'hold_end') this.onNetworkLine.get(contextId)?.(event);
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
   * Answers hold `holdId` of the running task `contextId` (its `hold` run
   * event's context id) at that task's proxy, which may belong to a network
   * sandbox an allowlist change has since replaced. True when the answer was
   * sent; false when the task or its hold is gone, or was answered already.
   */
  decide(contextId: string, holdId: string, allow: boolean): boolean {
    return this.taskSandbox.get(contextId)?.decide(contextId, holdId, allow) ?? false;
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

/** The repo's `masked_secrets` in the sandbox's terms. */
export function maskedSecretsOf(repo: RepoConfig): MaskedSecret[] {
  return credentialPoolsOf(repo).maskedSecrets;
}
