/**
 * Labels Airut puts on every container, network and image it creates, so that
 * cleanup finds exactly its own resources: those of one resource prefix, and
 * among them only those whose owning process is gone (two CLI runs with the
 * same prefix must not remove each other's containers).
 */

/** Label holding the resource prefix (`airut`, `airut-cli`, ...). */
export const PREFIX_LABEL = 'io.airut.prefix';
/** Label holding the execution context id of a task's resources. */
export const CONTEXT_LABEL = 'io.airut.context';
/** Label holding the host process id that created the resource. */
export const OWNER_LABEL = 'io.airut.owner-pid';

/** Who a resource belongs to. */
export interface ResourceOwner {
  /** The sandbox instance's resource prefix. */
  prefix: string;
  /** The execution context id, when the resource belongs to one run. */
  contextId?: string;
  /** The creating process id (defaults to nothing: the resource is never orphaned by pid). */
  ownerPid?: number;
}

/** `--label K=V` arguments for `run`, `network create` or `build`. */
export function labelArgs(owner: ResourceOwner): string[] {
  const args = ['--label', `${PREFIX_LABEL}=${owner.prefix}`];
  if (owner.contextId !== undefined) args.push('--label', `${CONTEXT_LABEL}=${owner.contextId}`);
  if (owner.ownerPid !== undefined) args.push('--label', `${OWNER_LABEL}=${owner.ownerPid}`);
  return args;
}

/** The `--filter` value selecting every resource of a prefix. */
export function prefixFilter(prefix: string): string {
  return `label=${PREFIX_LABEL}=${prefix}`;
}
