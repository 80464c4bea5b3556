import type { ContainerRuntime } from '../runtime/index.js';
import { NetworkSandboxError } from './error.js';
import { formatSubnet, freeSubnets, hostAddress, parseSubnet, type Ipv4Subnet } from './subnet-pool.js';

/** What Airut needs to know about an existing podman network. */
export interface NetworkSummary {
  name: string;
  subnets: Ipv4Subnet[];
  labels: Record<string, string>;
  internal: boolean;
}

interface NetworkListEntry {
  name?: string;
  subnets?: { subnet?: string }[] | null;
  labels?: Record<string, string> | null;
  internal?: boolean;
}

/** Every podman network with its IPv4 subnets (IPv6 subnets are left out: the pool is IPv4). */
export async function listNetworks(runtime: ContainerRuntime): Promise<NetworkSummary[]> {
  const { stdout } = await runtime.run(['network', 'ls', '--format', 'json']);
  const entries = JSON.parse(stdout || '[]') as NetworkListEntry[];
  return entries.map((entry) => ({
    name: entry.name ?? '',
    subnets: (entry.subnets ?? [])
      .map((s) => s.subnet ?? '')
      .filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s))
      .map((s) => parseSubnet(s, `podman network ${entry.name ?? '?'}`)),
    labels: entry.labels ?? {},
    internal: entry.internal === true,
  }));
}

/** A task network that was created. */
export interface InternalNetwork {
  name: string;
  subnet: Ipv4Subnet;
  /** The proxy's fixed address on it. */
  proxyIp: string;
}

/** How to create a task network. */
export interface TaskNetworkRequest {
  name: string;
  pool: Ipv4Subnet;
  /** Host number of the proxy inside the /24 (e.g. 2 for a.b.c.2). */
  proxyHost: number;
  /** `--label k=v` arguments. */
  labelArgs: readonly string[];
  /** Index of the /24 to try first; spreads concurrent processes over the pool. */
  start: number;
}

const MAX_COLLISION_ROUNDS = 8;

/**
 * Creates an `--internal --disable-dns` network on the first free /24 of the pool.
 *
 * Podman itself is the only record of which subnet is taken, so nothing stays
 * reserved when a process dies. When another process takes the same subnet
 * between our look and our create, podman answers "subnet ... already used"
 * and the next candidate is tried; the list is refreshed every round.
 *
 * No `--gateway` is given, on purpose: netavark (1.4) then records no gateway
 * for an internal network without DNS, puts no address on the host bridge and
 * gives containers no default route, so a task reaches nothing but its own
 * subnet (the proxy). An explicit gateway, even one equal to the proxy's
 * address, is put on the host bridge, which makes host services bound to
 * 0.0.0.0 reachable; podman 4.3 has no `--route` either. Direct-IP attempts
 * therefore fail closed in the task's own kernel (network unreachable).
 */
export async function createTaskNetwork(runtime: ContainerRuntime, request: TaskNetworkRequest): Promise<InternalNetwork> {
  let lastStderr = '';
  for (let round = 0; round < MAX_COLLISION_ROUNDS; round++) {
    const used = (await listNetworks(runtime)).flatMap((n) => n.subnets);
    const candidates = freeSubnets(request.pool, used, request.start + round);
    if (candidates.length === 0) {
      break;
    }
    for (const subnet of candidates) {
      const proxyIp = hostAddress(subnet, request.proxyHost);
      const result = await runtime.call([
        'network', 'create', '--internal', '--disable-dns',
        '--subnet', formatSubnet(subnet),
        ...request.labelArgs, request.name,
      ]);
      if (result.exitCode === 0) {
        await refuseGateway(runtime, request.name);
        return { name: request.name, subnet, proxyIp };
      }
      lastStderr = result.stderr.trim();
      if (!/subnet/i.test(lastStderr) || !/already/i.test(lastStderr)) {
        throw new NetworkSandboxError('NETWORK_CREATE_FAILED', `podman could not create network ${request.name} on ${formatSubnet(subnet)}: ${lastStderr}`);
      }
    }
  }
  throw new NetworkSandboxError('NETWORK_SUBNETS_EXHAUSTED', `no free /24 left in the subnet pool ${formatSubnet(request.pool)}${lastStderr ? ` (last answer: ${lastStderr})` : ''}`, {
    hint: 'Remove unused podman networks (podman network prune) or give network.subnet_pool a larger or different range.',
  });
}

/**
 * Fails closed when the engine gave the new network a gateway anyway (a
 * different podman version or containers.conf): the host would own that
 * address on the bridge and be reachable from the task.
 */
async function refuseGateway(runtime: ContainerRuntime, name: string): Promise<void> {
  const { stdout } = await runtime.run(['network', 'inspect', name]);
  const [info] = JSON.parse(stdout) as { subnets?: { gateway?: string }[] }[];
  const gateway = info?.subnets?.find((s) => s.gateway)?.gateway;
  if (gateway !== undefined) {
    await removeNetwork(runtime, name);
    throw new NetworkSandboxError('NETWORK_CREATE_FAILED', `podman gave the internal network ${name} the gateway ${gateway}, which would put a host address on the task's network`, {
      hint: 'This podman/netavark assigns gateways to internal networks without DNS; Airut was tested with podman 4.3 + netavark 1.4. Please report the versions (podman version).',
    });
  }
}

/**
 * Makes sure the named egress network exists. When `create` is true a missing
 * network is created (routed, so the proxy can reach the internet, without
 * podman's DNS, which the proxy does not use); otherwise a missing network is
 * an operator error.
 */
export async function ensureEgressNetwork(runtime: ContainerRuntime, name: string, create: boolean): Promise<void> {
  if ((await runtime.call(['network', 'exists', name])).exitCode === 0) {
    return;
  }
  if (!create) {
    throw new NetworkSandboxError('NETWORK_EGRESS_MISSING', `egress network "${name}" (network.egress_network) does not exist`, {
      hint: `Create it (podman network create ${name}) or leave network.egress_network unset to let Airut create its own.`,
    });
  }
  const result = await runtime.call(['network', 'create', '--disable-dns', name]);
  // Another process may have created it meanwhile; that is as good.
  if (result.exitCode !== 0 && (await runtime.call(['network', 'exists', name])).exitCode !== 0) {
    throw new NetworkSandboxError('NETWORK_CREATE_FAILED', `podman could not create egress network ${name}: ${result.stderr.trim()}`);
  }
}

/** Removes a network and anything still attached to it; a network that is already gone is fine. */
export async function removeNetwork(runtime: ContainerRuntime, name: string): Promise<void> {
  const result = await runtime.call(['network', 'rm', '-f', name]);
  if (result.exitCode !== 0 && (await runtime.call(['network', 'exists', name])).exitCode === 0) {
    throw new NetworkSandboxError('NETWORK_RELEASE_FAILED', `podman could not remove network ${name}: ${result.stderr.trim()}`);
  }
}
