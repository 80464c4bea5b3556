import { join } from 'node:path';

/** Where a repository keeps its sandbox files, relative to its root. */
export const REPO_SANDBOX_PATHS = {
  dockerfile: join('.airut', 'container', 'Dockerfile'),
  allowlist: join('.airut', 'network-allowlist.yaml'),
  config: join('.airut', 'sandbox.yaml'),
} as const;
