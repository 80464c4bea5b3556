import { AirutError } from '../error.js';

/**
 * Codes of {@link NetworkSandboxError}. Stable: scripts and callers branch on them.
 *
 * - `NETWORK_RUNTIME_UNSUPPORTED`: the container engine cannot build the topology (docker).
 * - `NETWORK_BACKEND_UNSUPPORTED`: podman's network backend is not netavark (CNI), or podman cannot say which it is.
 * - `NETWORK_SUBNET_POOL_INVALID`: the configured subnet pool is not an IPv4 CIDR that holds a /24.
 * - `NETWORK_SUBNETS_EXHAUSTED`: every /24 of the pool is used by some podman network or the host.
 * - `NETWORK_CREATE_FAILED`: podman refused to create a network for another reason.
 * - `NETWORK_CONTEXT_ID_INVALID`: an execution context id that cannot be part of a resource name.
 * - `NETWORK_EGRESS_MISSING`: the operator's egress network does not exist.
 * - `NETWORK_PROXY_IMAGE_FAILED`: the proxy image could not be assembled or built.
 * - `NETWORK_PROXY_BASE_NO_NODE`: the operator's proxy base image has no usable `node`.
 * - `NETWORK_PROXY_PROGRAM_MISSING`: the package root holds no built proxy program.
 * - `NETWORK_PROXY_NOT_READY`: the proxy did not answer in time, or exited while starting.
 * - `NETWORK_RELEASE_FAILED`: removing a task's proxy, network or files failed.
 * - `NETWORK_WARM_POOL_INVALID`: the warm pool size is not a whole number from 0 to 16.
 * - `NETWORK_HOLD_INVALID`: the approval hold is not whole seconds from 0 to 3600.
 * - `NETWORK_SANDBOX_CLOSED`: a task was attached after `close()`.
 */
export type NetworkSandboxErrorCode =
  | 'NETWORK_RUNTIME_UNSUPPORTED'
  | 'NETWORK_BACKEND_UNSUPPORTED'
  | 'NETWORK_SUBNET_POOL_INVALID'
  | 'NETWORK_SUBNETS_EXHAUSTED'
  | 'NETWORK_CREATE_FAILED'
  | 'NETWORK_CONTEXT_ID_INVALID'
  | 'NETWORK_EGRESS_MISSING'
  | 'NETWORK_PROXY_IMAGE_FAILED'
  | 'NETWORK_PROXY_BASE_NO_NODE'
  | 'NETWORK_PROXY_PROGRAM_MISSING'
  | 'NETWORK_PROXY_NOT_READY'
  | 'NETWORK_RELEASE_FAILED'
  | 'NETWORK_WARM_POOL_INVALID'
  | 'NETWORK_HOLD_INVALID'
  | 'NETWORK_SANDBOX_CLOSED';

/** A failure of the network sandbox's infrastructure: networks, the proxy image or the proxy container. */
export class NetworkSandboxError extends AirutError {
  declare readonly code: NetworkSandboxErrorCode;

  constructor(code: NetworkSandboxErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 125 });
  }
}
