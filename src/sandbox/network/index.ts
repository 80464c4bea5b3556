/**
 * The network sandbox: per task an internal network, a dual-homed proxy
 * container enforcing the allowlist, and the container arguments that put a
 * task behind it. Also home of the allowlist model, masked secrets and the CA
 * (their own sub-modules).
 */
export { NetworkSandbox, NETWORK_LOG_FILE, PROXY_HOST, type NetworkSandboxOptions, type NetworkSandboxStartup, type TaskNetworkOptions } from './network-sandbox.js';
export { NetworkSandboxError, type NetworkSandboxErrorCode } from './error.js';
export { assertNetworkBackend, NETWORK_BACKEND_FIX, SUPPORTED_NETWORK_BACKEND } from './network-backend.js';
export { DEFAULT_SUBNET_POOL, parseSubnet, formatSubnet, freeSubnets, type Ipv4Subnet } from './subnet-pool.js';
export { ensureProxyImage, PROXY_IMAGE_REPOSITORY, type ProxyImage, type ProxyImageOptions } from './proxy-image.js';
export { createTaskNetwork, ensureEgressNetwork, listNetworks, removeNetwork, type InternalNetwork, type NetworkSummary } from './podman-networks.js';
export { taskContainerArgs, taskCaEnv, CA_ENV_NAMES } from './task-container-args.js';
export { TASK_CA_PATH } from './proxy-layout.js';
export { proxyProgramConfig, type ModelPriceDocument, type ProxyBudgetCap, type ProxyProgramConfig } from './proxy-config-file.js';
export { parseProxyEvent, type ProxyEvent, type NetworkLogEvent, type NetworkLogKind, type ReadyEvent, type HealthEvent, type FatalEvent, type WaitingEvent, type StoppedEvent, type HoldEvent, type HoldEndEvent, type HoldOutcome } from './proxy-events.js';
export { egressNetworkName, proxyContainerName, taskNetworkName } from './resource-names.js';
