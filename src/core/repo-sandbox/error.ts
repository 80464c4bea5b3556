import { AirutError } from '../../sandbox/index.js';
import type { ConfigProblem } from '../config/index.js';

/**
 * Codes of {@link RepoSandboxError}:
 *
 * - `REPO_SANDBOX_CONFIG_INVALID`: `.airut/sandbox.yaml` is not valid YAML or breaks its schema.
 * - `REPO_SANDBOX_ENV_UNSET`: an `!env NAME` in `.airut/sandbox.yaml` names an unset variable (fail closed).
 * - `REPO_SANDBOX_DOCKERFILE_MISSING`: no Dockerfile where the repository's image is defined.
 * - `REPO_SANDBOX_FILE_UNREADABLE`: a repository sandbox file exists but cannot be read.
 */
export type RepoSandboxErrorCode =
  | 'REPO_SANDBOX_CONFIG_INVALID'
  | 'REPO_SANDBOX_ENV_UNSET'
  | 'REPO_SANDBOX_DOCKERFILE_MISSING'
  | 'REPO_SANDBOX_FILE_UNREADABLE';

/**
 * A repository's sandbox files (`.airut/container/Dockerfile` and the files
 * beside it, `.airut/sandbox.yaml`, `.airut/network-allowlist.yaml`) cannot
 * be used. Exit code 125: the sandbox never started.
 */
export class RepoSandboxError extends AirutError {
  declare readonly code: RepoSandboxErrorCode;
  /** Every problem found in `.airut/sandbox.yaml`, in file order; empty for the other codes. */
  readonly problems: readonly ConfigProblem[];

  constructor(code: RepoSandboxErrorCode, message: string, options: { hint?: string; cause?: unknown; problems?: readonly ConfigProblem[] } = {}) {
    const { problems = [], ...rest } = options;
    super(code, message, { ...rest, exitCode: 125 });
    this.problems = problems;
  }
}
