/**
 * The sandbox files a repository carries: `.airut/container/Dockerfile` with
 * the flat files beside it, `.airut/network-allowlist.yaml` and
 * `.airut/sandbox.yaml` (CLI-03), read and validated alike from a checkout
 * (`airut run`, `sandbox exec`) or a default branch (the gateway).
 */
export { RepoSandboxError, type RepoSandboxErrorCode } from './error.js';
export { REPO_SANDBOX_PATHS } from './repo-paths.js';
export { checkoutFiles, type RepoFile, type RepoFiles } from './repo-files.js';
export { findImageSource, readImageSource, type ImageSource } from './image-source.js';
export { loadAllowlist, readAllowlist, type RepoAllowlist } from './load-allowlist.js';
export { loadRepoSandboxConfig, parseRepoSandboxConfig, type RepoSandboxConfig } from './sandbox-config.js';
