/**
 * Names of the podman resources the network sandbox creates. Per-task ones
 * also carry the runtime's prefix/context/owner labels, by which the next
 * `startup()` finds what a crashed process left behind.
 */

/** Name of a task's internal network. */
export function taskNetworkName(prefix: string, contextId: string): string {
  return `${prefix}-net-${contextId}`;
}

/** Name of a task's proxy container. */
export function proxyContainerName(prefix: string, contextId: string): string {
  return `${prefix}-proxy-${contextId}`;
}

/**
 * Name of the shared egress network Airut creates when the operator names
 * none. It carries no labels: it outlives tasks and processes, and orphan
 * cleanup must never remove it (with `-f`, that would take running proxies along).
 */
export function egressNetworkName(prefix: string): string {
  return `${prefix}-egress`;
}
