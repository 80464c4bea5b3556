/**
 * Airut's sandbox: run Claude Code (or any command) in a throw-away container and
 * get a typed result. This module is the library's public API (`airut/sandbox`).
 */
export { AirutError, isAirutError } from './error.js';
export { Sandbox, newExecutionContextId } from './sandbox.js';
export type { SandboxOptions, CreateTaskOptions, CreateAgentTaskOptions } from './sandbox.js';
export * from './task/index.js';
export * from './image/index.js';
export * from './runtime/index.js';
export * from './claude/binary/index.js';
export * from './claude/stream/index.js';
export * from './events/index.js';
export * from './network/index.js';
export * from './network/allowlist/index.js';
export * from './network/ca/index.js';
export * from './network/secrets/index.js';
