/**
 * The sandbox files a repository carries: `.airut/container/Dockerfile` with
 * the flat files beside it, `.airut/network-allowlist.yaml` and
 * `.airut/sandbox.yaml` (CLI-03), read and validated for a CLI run.
 */
export { RepoSandboxError, type RepoSandboxErrorCode } from './error.js';
export { REPO_SANDBOX_PATHS } from './repo-paths.js';
export { readImageSource, type ImageSource } from './image-source.js';
export { loadAllowlist } from './load-allowlist.js';
export { loadRepoSandboxConfig, parseRepoSandboxConfig, type RepoSandboxConfig } from './sandbox-config.js';
