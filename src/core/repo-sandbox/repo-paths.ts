/**
 * Where a repository keeps its sandbox files, relative to its root. Git paths
 * as well as file paths, so always with `/`.
 */
export const REPO_SANDBOX_PATHS = {
  dockerfile: '.airut/container/Dockerfile',
  allowlist: '.airut/network-allowlist.yaml',
  config: '.airut/sandbox.yaml',
} as const;
