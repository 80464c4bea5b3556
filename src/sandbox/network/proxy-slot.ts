import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProxyEvent } from './proxy-events.js';
import { labelArgs, type ContainerRuntime } from '../runtime/index.js';
import type { Allowlist } from './allowlist/allowlist.js';
import type { CaFiles } from './ca/index.js';
import { NetworkLogWriter } from './network-log-writer.js';
import { createTaskNetwork, removeNetwork, type InternalNetwork } from './podman-networks.js';
import type { BudgetExceeded } from '../claude/stream/outcome.js';
import { proxyProgramConfig, proxyTaskFile, type ModelPriceDocument, type ProxyBudgetCap } from './proxy-config-file.js';
import { ProxyContainer, type ProxyStartOptions } from './proxy-container.js';
import { CONFIG_FILE, SECRETS_FILE, TASK_FILE } from './proxy-layout.js';
import { proxyContainerName, taskNetworkName } from './resource-names.js';
import {
  prepareGithubApps, prepareMaskedSecrets, prepareSigningCredentials, SecretsError, serializeSecrets,
  type GithubAppCredential, type MaskedSecret, type SigningCredential,
} from './secrets/index.js';
import type { Ipv4Subnet } from './subnet-pool.js';
import { taskCaEnv, taskContainerArgs } from './task-container-args.js';

/** The proxy's host number inside every task /24 (a.b.c.2). */
export const PROXY_HOST = 2;

/** File name of the per-task network log inside the execution context dir. */
export const NETWORK_LOG_FILE = 'network-sandbox.log';

/** Per-slot dirs are `<tmp>/airut-proxy-<owner pid>-<slot id>-XXXXXX`; they hold the secrets file while a proxy starts. */
export const TASK_DIR_PREFIX = 'airut-proxy-';

/** What every slot of one network sandbox shares. */
export interface SlotSettings {
  runtime: ContainerRuntime;
  prefix: string;
  ownerPid: number;
  pool: Ipv4Subnet;
  tmpDir: string;
  packageRoot: string;
  proxyImage: string;
  egressNetwork: string;
  ca: CaFiles;
  upstreamCaFile?: string;
  upstreamHosts?: Record<string, string>;
  upstreamDns?: string;
}

/** What a task hands its proxy when it takes a slot. */
export interface TaskHandOver {
  allowlist: Allowlist;
  maskedSecrets: readonly MaskedSecret[];
  /** GitHub Apps whose installation tokens the proxy mints (the container gets a `ghs_` surrogate each). */
  githubApps?: readonly GithubAppCredential[];
  /** AWS keys whose requests the proxy re-signs (the container gets surrogate keys). */
  signingCredentials?: readonly SigningCredential[];
  /** The task's directory; `network-sandbox.log` is written there. */
  contextDir: string;
  onLine?: (event: ProxyEvent) => void;
  timing: ProxyStartOptions;
  /** Prices laid over the proxy's shipped table. */
  prices?: Record<string, ModelPriceDocument>;
  /** Spending caps the proxy enforces for the task. */
  budgets?: readonly ProxyBudgetCap[];
}

/** A slot in use by its task. */
export interface TakenSlot {
  containerArgs: string[];
  env: Record<string, string>;
  /** Stops the proxy and closes the network log; the slot is then only fit for {@link ProxySlot.discard}. */
  finish: () => Promise<void>;
  /**
   * Resolves with the reason if the proxy fails while the task runs (see
   * {@link ProxyContainer.failure}); the network log has a line saying so by then.
   */
  failed: Promise<string>;
  /** The first cap the proxy refused a request for (its first BUDGET line), if any. */
  budgetExceeded: () => BudgetExceeded | undefined;
}

/**
 * One task's worth of network sandbox: an internal network, a per-slot dir
 * and a proxy container that is loaded but serves nothing yet. It can be
 * prepared before its task exists; {@link take} hands it the task's allowlist
 * and secrets and starts it. A slot serves one task and is then discarded.
 */
export class ProxySlot {
  private taken = false;

  private constructor(
    private readonly settings: SlotSettings,
    readonly id: string,
    readonly network: InternalNetwork,
    readonly dir: string,
    readonly proxy: ProxyContainer,
  ) {}

  /**
   * Creates the network and runs the proxy container. `id` names the
   * resources (`<prefix>-net-<id>`, `<prefix>-proxy-<id>`) and labels them as
   * the context. On failure whatever was created is removed.
   */
  static async prepare(settings: SlotSettings, id: string): Promise<ProxySlot> {
    const { runtime, prefix } = settings;
    const labels = labelArgs({ prefix, contextId: id, ownerPid: settings.ownerPid });
    const dir = await mkdtemp(join(settings.tmpDir, `${TASK_DIR_PREFIX}${settings.ownerPid}-${id}-`));
    let network: InternalNetwork;
    try {
      network = await createTaskNetwork(runtime, {
        name: taskNetworkName(prefix, id),
        pool: settings.pool,
        proxyHost: PROXY_HOST,
        labelArgs: labels,
        start: randomInt(2 ** 16),
      });
      const config = proxyProgramConfig({
        proxyIp: network.proxyIp,
        upstreamHosts: settings.upstreamHosts,
        upstreamDns: settings.upstreamDns,
        hasUpstreamCa: settings.upstreamCaFile !== undefined,
      });
      await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    const proxy = ProxyContainer.spawn(runtime, {
      name: proxyContainerName(prefix, id),
      image: settings.proxyImage,
      labelArgs: labels,
      egressNetwork: settings.egressNetwork,
      taskNetwork: network.name,
      proxyIp: network.proxyIp,
      packageRoot: settings.packageRoot,
      taskDir: dir,
      caCertPath: settings.ca.certPath,
      caKeyPath: settings.ca.keyPath,
      upstreamCaFile: settings.upstreamCaFile,
    });
    return new ProxySlot(settings, id, network, dir, proxy);
  }

  /**
   * Hands the task's allowlist and fresh surrogates' real values to the
   * proxy (0600 files in the slot dir, read once by the proxy), starts it
   * and returns what the task container needs. The secrets file is deleted
   * as soon as the proxy serves.
   */
  async take(task: TaskHandOver): Promise<TakenSlot> {
    if (this.taken) throw new Error(`proxy slot ${this.id} was already taken`);
    this.taken = true;
    const secrets = prepareMaskedSecrets(task.maskedSecrets);
    const apps = prepareGithubApps(task.githubApps ?? []);
    const signing = prepareSigningCredentials(task.signingCredentials ?? []);
    const pools = [secrets.env, apps.env, signing.env];
    const clash = pools.flatMap((pool, i) => Object.keys(pool).filter((name) => pools.slice(i + 1).some((later) => name in later)))[0];
    if (clash !== undefined) {
      throw new SecretsError('SECRETS_INVALID', `${clash} is set by two credentials (masked secret, GitHub App or signing credential).`, {
        hint: 'Each environment variable can carry one credential; rename one of them.',
      });
    }
    const secretsFile = join(this.dir, SECRETS_FILE);
    let budgetExceeded: BudgetExceeded | undefined;
    await mkdir(task.contextDir, { recursive: true });
    const log = await NetworkLogWriter.open(join(task.contextDir, NETWORK_LOG_FILE));
    let finished: Promise<void> | undefined;
    const finish = (): Promise<void> => {
      finished ??= (async () => {
        try {
          await this.proxy.finish();
        } finally {
          await log.close();
          await rm(secretsFile, { force: true });
        }
      })();
      return finished;
    };
    try {
      await writeFile(secretsFile, serializeSecrets(secrets.pairs, apps.pairs, signing.pairs), { mode: 0o600 });
      const taskFile = proxyTaskFile(task.allowlist.toJSON(), {
        ...(task.prices === undefined ? {} : { prices: task.prices }),
        ...(task.budgets === undefined ? {} : { budgets: [...task.budgets] }),
      });
      await writeFile(join(this.dir, TASK_FILE), `${JSON.stringify(taskFile, null, 2)}\n`, { mode: 0o600 });
      this.proxy.onLine = (event) => {
        if (event.event === 'log') log.write(event.line);
        if (event.event === 'log' && event.budget !== undefined && budgetExceeded === undefined) {
          const { name, unit, limit, spent } = event.budget;
          budgetExceeded = { name, unit, limit, spent };
        }
        task.onLine?.(event);
      };
      await this.proxy.start(task.timing);
      // Read once at start: the real values need not stay on disk while the task runs.
      await rm(secretsFile, { force: true });
    } catch (error) {
      await finish().catch(() => undefined);
      throw error;
    }
    const failed = this.proxy.failure.then((reason) => {
      // Written by the host: the proxy that would write it is gone or stuck.
      const line = `ERROR PROXY ${this.proxy.plan.name} -> ${reason.replace(/[\r\n]+/g, ' ')}; the task is stopped`;
      log.write(line);
      task.onLine?.({ event: 'log', kind: 'ERROR', level: 'warn', line, time: new Date().toISOString() });
      return reason;
    });
    return {
      containerArgs: taskContainerArgs({ taskNetwork: this.network.name, proxyIp: this.network.proxyIp, caCertPath: this.settings.ca.certPath }),
      env: { ...taskCaEnv(), ...secrets.env, ...apps.env, ...signing.env },
      finish,
      failed,
      budgetExceeded: () => budgetExceeded,
    };
  }

  /** Removes the proxy container, the network and the slot dir; tries all three and throws the first failure. */
  async discard(): Promise<void> {
    const failures: unknown[] = [];
    await this.proxy.remove().catch((error: unknown) => { failures.push(error); });
    await removeNetwork(this.settings.runtime, this.network.name).catch((error: unknown) => { failures.push(error); });
    await rm(this.dir, { recursive: true, force: true }).catch((error: unknown) => { failures.push(error); });
    if (failures.length > 0) throw failures[0];
  }
}
