import { randomInt } from 'node:crypto';
import { access, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyEvent } from '../proxy/proxy-events.js';
import type { ContainerRuntime, OrphanReport, ProcessProbe } from '../runtime/index.js';
import { isProcessAlive, labelArgs, removeOrphans } from '../runtime/index.js';
import type { NetworkAttachment, NetworkProvider } from '../task/network-provider.js';
import type { Allowlist } from './allowlist/allowlist.js';
import { ensureCa, type CaFiles } from './ca/index.js';
import { NetworkSandboxError } from './error.js';
import { createTaskNetwork, ensureEgressNetwork, removeNetwork, type InternalNetwork } from './podman-networks.js';
import { proxyProgramConfig } from './proxy-config.js';
import { startProxy, type RunningProxy } from './proxy-container.js';
import { ensureProxyImage } from './proxy-image.js';
import { CONFIG_FILE, PROXY_PROGRAM, SECRETS_FILE } from './proxy-layout.js';
import { egressNetworkName, proxyContainerName, taskNetworkName } from './resource-names.js';
import { DEFAULT_SUBNET_POOL, parseSubnet, type Ipv4Subnet } from './subnet-pool.js';
import { taskCaEnv, taskContainerArgs } from './task-container-args.js';
import { prepareMaskedSecrets, serializeSecrets, type MaskedSecret } from './secrets/index.js';

/** The proxy's host number inside every task /24 (a.b.c.2). */
export const PROXY_HOST = 2;

/** File name of the per-task network log inside the execution context dir. */
export const NETWORK_LOG_FILE = 'network-sandbox.log';

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
}

/** What {@link NetworkSandbox.startup} found and prepared. */
export interface NetworkSandboxStartup {
  proxyImage: string;
  egressNetwork: string;
  ca: CaFiles;
  /** Orphans of dead processes that were removed: containers and networks with the same prefix, per-task dirs (which may hold secrets) of any prefix. */
  removed: OrphanReport & { files: string[] };
}

const CONTEXT_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** Per-task dirs are `<tmp>/airut-proxy-<owner pid>-<context id>-XXXXXX`. */
const TASK_DIR_PREFIX = 'airut-proxy-';

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
 */
export class NetworkSandbox implements NetworkProvider {
  private readonly options: NetworkSandboxOptions;
  private readonly pool: Ipv4Subnet;
  private started: Promise<NetworkSandboxStartup> | undefined;

  constructor(options: NetworkSandboxOptions) {
    if (options.runtime.kind !== 'podman') {
      // Docker has no `--disable-dns` and joins a container to one network at
      // `run`: the dual-homed proxy and the resolver-less task network need podman.
      throw new NetworkSandboxError('NETWORK_RUNTIME_UNSUPPORTED', `the network sandbox needs podman (>= 4, netavark); "${options.runtime.command}" is docker`, {
        hint: 'Install podman (apt-get install -y podman runc), or disable the network sandbox for this repository.',
      });
    }
    this.options = options;
    this.pool = parseSubnet(options.subnetPool ?? DEFAULT_SUBNET_POOL, 'network.subnet_pool');
  }

  /**
   * Removes what dead processes with this prefix left behind, makes sure the
   * egress network, the proxy image and the CA exist. Runs once per instance;
   * {@link attach} calls it when the caller did not.
   */
  startup(): Promise<NetworkSandboxStartup> {
    this.started ??= this.prepare();
    // A failed startup may succeed later (e.g. after the operator fixes the image).
    this.started.catch(() => { this.started = undefined; });
    return this.started;
  }

  /** Sets up the network of one task; the result's `release` removes all of it. */
  async attach(contextId: string, contextDir: string): Promise<NetworkAttachment> {
    if (!CONTEXT_ID.test(contextId)) {
      throw new NetworkSandboxError('NETWORK_CONTEXT_ID_INVALID', `execution context id "${contextId}" cannot be part of a network name`, {
        hint: 'Use letters, digits, "_", "." and "-" (up to 63 characters), starting with a letter or digit.',
      });
    }
    const { runtime, resourcePrefix: prefix } = this.options;
    const ready = await this.startup();
    await this.checkProgram();

    const owner = { prefix, contextId, ownerPid: this.options.ownerPid ?? process.pid };
    const undo: (() => Promise<void>)[] = [];
    const release = once(async () => {
      const failures: unknown[] = [];
      for (const step of [...undo].reverse()) {
        await step().catch((error: unknown) => { failures.push(error); });
      }
      if (failures.length > 0) {
        throw new NetworkSandboxError('NETWORK_RELEASE_FAILED', `releasing the network sandbox of ${contextId} failed: ${String((failures[0] as Error).message)}`, { cause: failures[0] });
      }
    });
    try {
      const secrets = prepareMaskedSecrets(this.options.maskedSecrets ?? []);
      const taskDir = await mkdtemp(join(this.tmpDir, `${TASK_DIR_PREFIX}${owner.ownerPid}-${contextId}-`));
      undo.push(() => rm(taskDir, { recursive: true, force: true }));
      await writeFile(join(taskDir, SECRETS_FILE), serializeSecrets(secrets.pairs), { mode: 0o600 });
      const networkLogPath = join(contextDir, NETWORK_LOG_FILE);
      await mkdir(contextDir, { recursive: true });
      await (await open(networkLogPath, 'a')).close();

      const network: InternalNetwork = await createTaskNetwork(runtime, {
        name: taskNetworkName(prefix, contextId),
        pool: this.pool,
        proxyHost: PROXY_HOST,
        labelArgs: labelArgs(owner),
        start: randomInt(2 ** 16),
      });
      undo.push(() => removeNetwork(runtime, network.name));

      const config = proxyProgramConfig({
        proxyIp: network.proxyIp,
        allowlist: this.options.allowlist.toJSON(),
        upstreamHosts: this.options.upstreamHosts,
        upstreamDns: this.options.upstreamDns,
        hasUpstreamCa: this.options.upstreamCaFile !== undefined,
      });
      await writeFile(join(taskDir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

      const onLine = this.options.onNetworkLine;
      const proxy: RunningProxy = await startProxy(runtime, {
        name: proxyContainerName(prefix, contextId),
        image: ready.proxyImage,
        labelArgs: labelArgs(owner),
        egressNetwork: ready.egressNetwork,
        taskNetwork: network.name,
        proxyIp: network.proxyIp,
        packageRoot: this.options.packageRoot,
        taskDir,
        caCertPath: ready.ca.certPath,
        caKeyPath: ready.ca.keyPath,
        upstreamCaFile: this.options.upstreamCaFile,
        networkLogPath,
      }, {
        onLine: onLine === undefined ? undefined : (event) => onLine(event, contextId),
        readyTimeoutMs: this.options.readyTimeoutMs,
      });
      undo.push(() => proxy.stop());

      return {
        containerArgs: taskContainerArgs({ taskNetwork: network.name, proxyIp: network.proxyIp, caCertPath: ready.ca.certPath }),
        env: { ...taskCaEnv(), ...secrets.env },
        release,
      };
    } catch (error) {
      await release().catch(() => {
        // The setup error is what the caller needs; a failed cleanup of a
        // half-built topology is removed as an orphan at the next startup.
      });
      throw error;
    }
  }

  private get tmpDir(): string {
    return this.options.tmpDir ?? tmpdir();
  }

  private async prepare(): Promise<NetworkSandboxStartup> {
    const { runtime, resourcePrefix: prefix } = this.options;
    const isAlive = this.options.isProcessAlive ?? isProcessAlive;
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

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
