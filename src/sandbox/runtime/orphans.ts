import type { ContainerRuntime } from './container-runtime.js';
import { OWNER_LABEL, prefixFilter } from './resource-labels.js';

/** Tells whether a host process id is still running. */
export type ProcessProbe = (pid: number) => boolean;

/** What {@link removeOrphans} removed. */
export interface OrphanReport {
  containers: string[];
  networks: string[];
}

/** Default probe: signal 0 reaches live processes (EPERM still means alive). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes containers, then networks, labelled with `prefix` whose owning
 * process is no longer alive (left behind by a crash or `kill -9`). Resources
 * of live processes with the same prefix, and of other prefixes, are kept.
 * Containers go first because a network in use cannot be removed.
 */
export async function removeOrphans(runtime: ContainerRuntime, prefix: string, isAlive: ProcessProbe = isProcessAlive): Promise<OrphanReport> {
  const containers = await listOrphans(runtime, ['ps', '-a', '--filter', prefixFilter(prefix), '--format', '{{.Names}}\t{{json .Labels}}'], isAlive);
  if (containers.length > 0) await runtime.removeContainers(containers);
  const networks = await listOrphans(runtime, ['network', 'ls', '--filter', prefixFilter(prefix), '--format', '{{.Name}}\t{{json .Labels}}'], isAlive);
  for (const name of networks) {
    await runtime.call(['network', 'rm', '-f', name]);
  }
  return { containers, networks };
}

async function listOrphans(runtime: ContainerRuntime, args: string[], isAlive: ProcessProbe): Promise<string[]> {
  const listing = await runtime.run(args);
  const orphans: string[] = [];
  for (const line of listing.stdout.split('\n')) {
    const [name, labels] = line.trim().split('\t');
    if (!name) continue;
    const pid = Number(parseLabels(labels ?? '')[OWNER_LABEL]);
    // A resource without a readable owner pid cannot be proven live: treat it as orphaned.
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) orphans.push(name);
  }
  return orphans;
}

/**
 * Reads a `{{json .Labels}}` value: containers print a JSON object, podman 4's
 * `network ls` prints a JSON string `k=v,k=v`.
 */
function parseLabels(text: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON (an engine that prints nothing for an empty map): no labels.
    return {};
  }
  if (typeof value === 'string') {
    return Object.fromEntries(value.split(',').map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    }));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  }
  return {};
}
