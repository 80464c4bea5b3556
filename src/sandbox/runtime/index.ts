export { ContainerRuntime, ContainerRuntimeError } from './container-runtime.js';
export type { RuntimeKind, RuntimeOptions, RuntimeResult, RuntimeCallOptions, RuntimeSpawnOptions } from './container-runtime.js';
export { PREFIX_LABEL, CONTEXT_LABEL, OWNER_LABEL, labelArgs, prefixFilter } from './resource-labels.js';
export type { ResourceOwner } from './resource-labels.js';
export { removeOrphans, isProcessAlive } from './orphans.js';
export type { OrphanReport, ProcessProbe } from './orphans.js';
export { LineSplitter } from './line-splitter.js';
