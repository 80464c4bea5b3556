export { ContainerRuntime, ContainerRuntimeError } from './container-runtime.js';
export type { RuntimeKind, RuntimeOptions, RuntimeResult, RuntimeCallOptions } from './container-runtime.js';
