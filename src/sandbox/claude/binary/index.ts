/**
 * The Claude Code binary cache: resolves `latest`/`stable` on the dist-tags
 * of `@anthropic-ai/claude-code` (as npm does), downloads and verifies the
 * host platform package's binary of that version (or of an exact one), and
 * keeps it per version on the host for read-only bind mounts.
 */
export { ClaudeBinaryCache } from './claude-binary-cache.js';
export type { ClaudeBinaryCacheOptions, ClaudeBinary, EnsureOptions, EnsureResult, VersionResolution } from './claude-binary-cache.js';
export { CLAUDE_CODE_PACKAGE } from './packument.js';
export { resolveClaudeBinary } from './resolve-claude-binary.js';
export type { ResolveClaudeBinaryOptions, ResolvedClaudeBinary } from './resolve-claude-binary.js';
export { defaultClaudeCacheDir } from './cache-dir.js';
export { ClaudeBinaryError, CLAUDE_BINARY_ERROR_CODES } from './error.js';
export type { ClaudeBinaryErrorCode } from './error.js';
export { detectPlatform, detectLibc } from './platform.js';
export type { ClaudePlatform, Libc, PlatformFacts } from './platform.js';
export { resolveNpmRegistry, authorizationFor, packumentUrl, DEFAULT_NPM_REGISTRY } from './npm-registry.js';
export type { NpmRegistry, NpmRegistryInputs } from './npm-registry.js';
export { validateVersionRequest, isExactVersion, compareVersions } from './version.js';
export type { ClaudeChannel, ClaudeVersionRequest } from './version.js';
export type { ProgressCallback } from './download-tarball.js';
