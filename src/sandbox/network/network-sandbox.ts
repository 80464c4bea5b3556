import { randomBytes } from 'node:crypto';
import { access, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyEvent } from './proxy-events.js';
import type { ModelPriceDocument, ProxyBudgetCap } from './proxy-config-file.js';
import type { ContainerRuntime, OrphanReport, ProcessProbe } from '../runtime/index.js';
import { isProcessAlive, removeOrphans } from '../runtime/index.js';
import type { NetworkAttachment, NetworkProvider } from '../task/network-provider.js';
import type { Allowlist } from './allowlist/allowlist.js';
import { ensureCa, type CaFiles } from './ca/index.js';
import { NetworkSandboxError } from './error.js';
import { assertNetworkBackend } from './network-backend.js';
import { ensureEgressNetwork } from './podman-networks.js';
import { ensureProxyImage } from './proxy-image.js';
import { PROXY_PROGRAM } from './proxy-layout.js';
import { ProxySlot, TASK_DIR_PREFIX, type SlotSettings, type TakenSlot } from './proxy-slot.js';
import { egressNetworkName } from './resource-names.js';
import { DEFAULT_SUBNET_POOL, parseSubnet, type Ipv4Subnet } from './subnet-pool.js';
import type { GithubAppCredential, MaskedSecret, SigningCredential } from './secrets/index.js';

export { NETWORK_LOG_FILE, PROXY_HOST } from './proxy-slot.js';

/** Options of a {@link NetworkSandbox}. Everything but the allowlist and secrets is an operator setting. */
export interface NetworkSandboxOptions {
  runtime: ContainerRuntime;
  /** Prefix of every network and container name (e.g. `airut`, `airut-cli`). */
  resourcePrefix: string;
  /** Directory of the host's Airut CA (`$XDG_DATA_HOME/airut/ca`); created on first use. */
  caDir: string;
  /** The repository's validated allowlist. */
  allowlist: Allowlist;
  /** Credentials the container sees only as surrogates (fresh ones per task, returned in the attachment's env). */
  maskedSecrets?: readonly MaskedSecret[];
  /** GitHub Apps whose installation tokens the proxy mints for the task (it sees a stable `ghs_` surrogate per App). */
  githubApps?: readonly GithubAppCredential[];
  /** AWS keys the container holds as surrogates; the proxy re-signs its requests to their scopes with the real keys. */
  signingCredentials?: readonly SigningCredential[];
  /** An existing network for the proxy's outside leg (`network.egress_network`); default `<prefix>-egress`, created when missing. */
  egressNetwork?: string;
  /** Resolver the proxy uses for upstream names (`network.upstream_dns`); default: the proxy container's own. */
  upstreamDns?: string;
  /** Host -> IP map the proxy uses instead of DNS upstream (`network.upstream_hosts`). */
  upstreamHosts?: Record<string, string>;
  /** Extra CA bundle (host path) the proxy trusts upstream (`network.upstream_ca_file`). */
  upstreamCaFile?: string;
  /** Pool task subnets come from (`network.subnet_pool`); default {@link DEFAULT_SUBNET_POOL}. */
  subnetPool?: string;
  /** Image with node to run the proxy from (`network.proxy_base_image`); default: built from the host's node. */
  proxyBaseImage?: string;
  /** Root of the installed Airut package; the proxy runs `<root>/dist/sandbox/proxy/main.js` from it. */
  packageRoot: string;
  /** Live tail of the proxy's events (one per request, DNS query, error...). */
  onNetworkLine?: (event: ProxyEvent, contextId: string) => void;
  /** Where per-task files go. Default: the OS temp dir. */
  tmpDir?: string;
  /** Process recorded as the owner of the resources. Default: this one. */
  ownerPid?: number;
  /** Tells whether an owner pid still runs, for orphan cleanup. */
  isProcessAlive?: ProcessProbe;
  /** How long a proxy may take to become ready. Default 20 s. */
  readyTimeoutMs?: number;
  /**
   * How many task networks with a loaded, idle proxy to keep ready (a warm
   * pool), so a task start only hands its allowlist and secrets to a running
   * proxy. Default 0: a one-shot run gains nothing from it (its one task
   * would wait for the same preparation). With 1 or more,
   * {@link NetworkSandbox.close} must be called when done: it removes the
   * idle ones and waits for teardowns that `release` leaves running.
   */
  warmPool?: number;
  /** Prices laid over the proxy's shipped table of Messages API prices (`prices`), by model id prefix. */
  prices?: Record<string, ModelPriceDocument>;
  /**
   * `network.approval_hold_seconds`: a request a task's allowlist blocks
   * waits this long at the proxy for {@link NetworkSandbox.decide} (its
   * `hold` event goes to `onNetworkLine`) before its 403. Default 0: none.
   */
  approvalHoldSeconds?: number;
}

/** What one task's network may have apart from the sandbox's own settings. */
export interface TaskNetworkOptions {
  /** Replaces the sandbox's allowlist for this task alone (the gateway lays a conversation's approvals over the repository's). */
  allowlist?: Allowlist;
  /** Spending caps the task's proxy enforces; a refusal shows in the attachment's `budgetExceeded`. */
  budgets?: readonly ProxyBudgetCap[];
}

/** What {@link NetworkSandbox.startup} found and prepared. */
export interface NetworkSandboxStartup {
  proxyImage: string;
  egressNetwork: string;
  ca: CaFiles;
  /** Orphans of dead processes that were removed: containers and networks with the same prefix, per-task dirs (which may hold secrets) of any prefix. */
  removed: OrphanReport & { files: string[] };
}

/** Longest `approvalHoldSeconds`: one hour (the proxy refuses longer holds). */
const MAX_HOLD_SECONDS = 3600;

const CONTEXT_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * Removes per-task dirs whose creating process is gone (a `kill -9` skips
 * release): they hold the masked secrets' real values.
 */
async function removeOrphanTaskDirs(dir: string, isAlive: ProcessProbe): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = Number(/^airut-proxy-(\d+)-/.exec(name)?.[1]);
    if (name.startsWith(TASK_DIR_PREFIX) && pid > 0 && !isAlive(pid)) {
      await rm(join(dir, name), { recursive: true, force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}

/**
 * Puts task containers behind Airut's proxy: per task an internal network, a
 * dual-homed proxy container and the container arguments that join it.
 * Implements the task's {@link NetworkProvider}.
 *
 * With a warm pool, networks and proxies are prepared ahead and a task takes
 * one: the proxy has loaded but gets the allowlist and the real secrets,
 * and binds its ports, only then. A prepared proxy serves exactly one task.
 * The pool is filled after startup and refilled when a task releases its
 * network, not when it takes one: on a small machine a refill running while
 * the task's container starts slowed that start by half (`npm run bench --
 * proxy`). `release` returns once the proxy has stopped and its log is
 * written; removing the container and the network continues in the
 * background ({@link close} waits for it).
 */
export class NetworkSandbox implements NetworkProvider {
  private readonly options: NetworkSandboxOptions;
  private readonly pool: Ipv4Subnet;
  private readonly warmPool: number;
  private started: Promise<NetworkSandboxStartup> | undefined;
  /** Prepared slots, oldest first, each possibly still being prepared. */
  private readonly idle: Promise<ProxySlot>[] = [];
  /** Teardowns (and preparations) still running in the background. */
  private readonly background = new Set<Promise<void>>();
  private readonly backgroundFailures: unknown[] = [];
  private closed = false;
  /** The proxy of each attached task, by execution context id: where its hold decisions go. */
  private readonly attached = new Map<string, ProxySlot>();

  constructor(options: NetworkSandboxOptions) {
    if (options.runtime.kind !== 'podman') {
      // Docker has no `--disable-dns` and joins a container to one network at
      // `run`: the dual-homed proxy and the resolver-less task network need podman.
      throw new NetworkSandboxError('NETWORK_RUNTIME_UNSUPPORTED', `the network sandbox needs podman (>= 4, netavark); "${options.runtime.command}" is docker`, {
        hint: 'Install podman (apt-get install -y podman runc), or disable the network sandbox for this repository.',
      });
    }
    const warmPool = options.warmPool ?? 0;
    if (!Number.isInteger(warmPool) || warmPool < 0 || warmPool > 16) {
      throw new NetworkSandboxError('NETWORK_WARM_POOL_INVALID', `warmPool ${String(warmPool)} is not a whole number from 0 to 16`, {
        hint: 'Use 0 (prepare on demand) or a small number of task networks to keep ready, usually 1.',
      });
    }
    const hold = options.approvalHoldSeconds ?? 0;
    if (!Number.isInteger(hold) || hold < 0 || hold > MAX_HOLD_SECONDS) {
      throw new NetworkSandboxError('NETWORK_HOLD_INVALID', `approval hold ${String(hold)} s is not a whole number of seconds from 0 to ${MAX_HOLD_SECONDS}`, {
        hint: 'Set network.approval_hold_seconds to 0 (no holds) or the seconds a blocked request may wait for an Allow, e.g. 60.',
      });
    }
    this.options = options;
    this.warmPool = warmPool;
    this.pool = parseSubnet(options.subnetPool ?? DEFAULT_SUBNET_POOL, 'network.subnet_pool');
  }

  /**
   * Removes what dead processes with this prefix left behind, makes sure the
   * egress network, the proxy image and the CA exist, then fills the warm
   * pool in the background. Runs once per instance; {@link attach} calls it
   * when the caller did not.
   */
  startup(): Promise<NetworkSandboxStartup> {
    if (this.started === undefined) {
      const started = this.prepare();
      this.started = started;
      // A failed startup may succeed later (e.g. after the operator fixes the image).
      started.then(() => this.refill(), () => { this.started = undefined; });
    }
    return this.started;
  }

  /** The repository's allowlist every task gets unless its attach gives another. */
  get allowlist(): Allowlist {
    return this.options.allowlist;
  }

  /**
   * Sets up the network of one task; the result's `release` removes all of it.
   * `task.allowlist` replaces the sandbox's allowlist for this task alone (the
   * gateway lays a conversation's approvals over the repository's).
   */
  async attach(contextId: string, contextDir: string, task: TaskNetworkOptions = {}): Promise<NetworkAttachment> {
    if (!CONTEXT_ID.test(contextId)) {
      throw new NetworkSandboxError('NETWORK_CONTEXT_ID_INVALID', `execution context id "${contextId}" cannot be part of a network name`, {
        hint: 'Use letters, digits, "_", "." and "-" (up to 63 characters), starting with a letter or digit.',
      });
    }
    this.assertOpen();
    const settings = await this.slotSettings();
    await this.checkProgram();

    let slot = await this.pooledSlot();
    const allowlist = task.allowlist ?? this.options.allowlist;
    let taken = slot === undefined ? undefined : await this.takeOrDiscard(slot, contextId, contextDir, allowlist, task.budgets ?? []).catch(() => {
      // A prepared proxy may have died while it waited (killed, out of memory): a fresh one
      // is tried instead, and reports whatever still fails.
      return undefined;
    });
    if (slot === undefined || taken === undefined) {
      slot = await ProxySlot.prepare(settings, contextId);
      taken = await this.takeOrDiscard(slot, contextId, contextDir, allowlist, task.budgets ?? []);
    }
    const used = slot;
    const { containerArgs, env, finish, failed, budgetExceeded } = taken;
    this.attached.set(contextId, used);
    const release = once(async () => {
      this.attached.delete(contextId);
      try {
        await finish();
      } finally {
        const teardown = used.discard();
        this.refill();
        if (this.warmPool === 0) {
          await teardown.catch((error: unknown) => { throw releaseFailed(contextId, error); });
        } else {
          this.inBackground(teardown);
        }
      }
    });
    return { containerArgs, env, release, failed, budgetExceeded };
  }

  /**
   * Answers a hold of the task `contextId`'s proxy (its `hold` event's id).
   * True when the answer was sent: the hold was open and not answered yet.
   * False for any other id, a second answer, or a task that is gone; then
   * nothing reaches the proxy (which refuses unknown ids itself too).
   */
  decide(contextId: string, holdId: string, allow: boolean): boolean {
    return this.attached.get(contextId)?.proxy.decide(holdId, allow) ?? false;
  }

  /**
   * Resolves once every prepared slot's proxy has loaded and no teardown is
   * running in the background: the state in which a task start is warm.
   */
  async settled(): Promise<void> {
    for (;;) {
      const idle = [...this.idle];
      const background = [...this.background];
      await Promise.allSettled([...background, ...idle.map((slot) => slot.then((s) => s.proxy.warm))]);
      const unchanged = this.idle.length === idle.length && this.idle.every((slot, i) => slot === idle[i]);
      if (unchanged && this.background.size === 0) return;
    }
  }

  /**
   * Stops filling the pool, removes the prepared slots and waits for every
   * background teardown. Tasks still attached keep their network until their
   * own release. Safe to call twice.
   * @throws NetworkSandboxError `NETWORK_RELEASE_FAILED` naming the first teardown that failed
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.idle.splice(0)) {
      this.inBackground(slot.then((s) => s.discard(), () => undefined));
    }
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    const [failure] = this.backgroundFailures.splice(0);
    if (failure !== undefined) throw releaseFailed('a task', failure);
  }

  /** A prepared slot from the pool; undefined when the pool is empty or its preparation failed. */
  private async pooledSlot(): Promise<ProxySlot | undefined> {
    try {
      return await this.idle.shift();
    } catch {
      // Prepared in the background with nobody to tell; the fresh attempt that follows reports what still fails.
      return undefined;
    }
  }

  /** Hands the slot to the task; on failure the slot is removed and the pool topped up. */
  private async takeOrDiscard(slot: ProxySlot, contextId: string, contextDir: string, allowlist: Allowlist, budgets: readonly ProxyBudgetCap[]): Promise<TakenSlot> {
    const onLine = this.options.onNetworkLine;
    try {
      return await slot.take({
        allowlist,
        maskedSecrets: this.options.maskedSecrets ?? [],
        githubApps: this.options.githubApps ?? [],
        signingCredentials: this.options.signingCredentials ?? [],
        budgets,
        ...(this.options.prices === undefined ? {} : { prices: this.options.prices }),
        contextDir,
        onLine: onLine === undefined ? undefined : (event) => onLine(event, contextId),
        timing: { readyTimeoutMs: this.options.readyTimeoutMs, holdMs: (this.options.approvalHoldSeconds ?? 0) * 1000 },
      });
    } catch (error) {
      await slot.discard().catch(() => {
        // The setup error is what the caller needs; a failed cleanup of a
        // half-built topology is removed as an orphan at the next startup.
      });
      this.refill();
      throw error;
    }
  }

  private get tmpDir(): string {
    return this.options.tmpDir ?? tmpdir();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new NetworkSandboxError('NETWORK_SANDBOX_CLOSED', 'this network sandbox was closed and takes no new tasks', {
        hint: 'Create a new NetworkSandbox for further tasks.',
      });
    }
  }

  private async slotSettings(): Promise<SlotSettings> {
    const ready = await this.startup();
    return {
      runtime: this.options.runtime,
      prefix: this.options.resourcePrefix,
      ownerPid: this.options.ownerPid ?? process.pid,
      pool: this.pool,
      tmpDir: this.tmpDir,
      packageRoot: this.options.packageRoot,
      proxyImage: ready.proxyImage,
      egressNetwork: ready.egressNetwork,
      ca: ready.ca,
      upstreamCaFile: this.options.upstreamCaFile,
      upstreamHosts: this.options.upstreamHosts,
      upstreamDns: this.options.upstreamDns,
    };
  }

  /** Tops the pool up to its size in the background. */
  private refill(): void {
    if (this.closed || this.warmPool === 0 || this.started === undefined) return;
    while (this.idle.length < this.warmPool) {
      const slot = this.slotSettings().then((settings) => ProxySlot.prepare(settings, `w${randomBytes(4).toString('hex')}`));
      // A failed preparation is reported by the attach that takes it.
      slot.catch(() => undefined);
      this.idle.push(slot);
    }
  }

  private inBackground(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => { this.backgroundFailures.push(error); });
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private async prepare(): Promise<NetworkSandboxStartup> {
    const { runtime, resourcePrefix: prefix } = this.options;
    const isAlive = this.options.isProcessAlive ?? isProcessAlive;
    // Before anything is created: on an unproven backend nothing may be left behind.
    await assertNetworkBackend(runtime);
    const removed = await removeOrphans(runtime, prefix, isAlive);
    const removedFiles = await removeOrphanTaskDirs(this.tmpDir, isAlive);
    const egressNetwork = this.options.egressNetwork ?? egressNetworkName(prefix);
    await ensureEgressNetwork(runtime, egressNetwork, this.options.egressNetwork === undefined);
    const image = await ensureProxyImage(runtime, { baseImage: this.options.proxyBaseImage, tmpDir: this.options.tmpDir });
    const ca = await ensureCa(this.options.caDir);
    return { proxyImage: image.tag, egressNetwork, ca, removed: { ...removed, files: removedFiles } };
  }

  private async checkProgram(): Promise<void> {
    const program = join(this.options.packageRoot, PROXY_PROGRAM);
    try {
      await access(program);
    } catch (cause) {
      throw new NetworkSandboxError('NETWORK_PROXY_PROGRAM_MISSING', `the proxy program ${program} does not exist`, {
        hint: 'Build the package (npm run build) or point packageRoot at an installed Airut.',
        cause,
      });
    }
  }
}

function releaseFailed(contextId: string, error: unknown): NetworkSandboxError {
  if (error instanceof NetworkSandboxError && error.code === 'NETWORK_RELEASE_FAILED') return error;
  return new NetworkSandboxError('NETWORK_RELEASE_FAILED', `releasing the network sandbox of ${contextId} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
