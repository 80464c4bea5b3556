import { AirutError } from '../../sandbox/index.js';

/**
 * Codes of {@link RunError}:
 *
 * - `RUN_FLAG_INVALID`: a flag or its `AIRUT_*` variable has a value that cannot work (a mount, a host map...).
 * - `RUN_NOT_A_GIT_REPO`: prompt mode needs a git repository and none holds the working directory.
 * - `RUN_PROMPT_EMPTY`: the prompt (argument or stdin) is empty. Exit code 1.
 * - `RUN_NO_CREDENTIALS`: neither `ANTHROPIC_API_KEY` nor `CLAUDE_CODE_OAUTH_TOKEN` is set.
 * - `RUN_NO_SESSION`: `--continue` with no earlier session recorded for this repository.
 * - `RUN_WORKTREE_FAILED`: `--worktree` could not create the worktree.
 * - `RUN_STATE_UNWRITABLE`: the per-repository state directory cannot be written.
 */
export type RunErrorCode =
  | 'RUN_FLAG_INVALID'
  | 'RUN_NOT_A_GIT_REPO'
  | 'RUN_PROMPT_EMPTY'
  | 'RUN_NO_CREDENTIALS'
  | 'RUN_NO_SESSION'
  | 'RUN_WORKTREE_FAILED'
  | 'RUN_STATE_UNWRITABLE';

/**
 * A command-line run could not start. Exit code 125 (Airut's own failure,
 * distinct from any code the sandboxed command can return), except an empty
 * prompt, which is the caller's mistake (1).
 */
export class RunError extends AirutError {
  declare readonly code: RunErrorCode;

  constructor(code: RunErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: code === 'RUN_PROMPT_EMPTY' ? 1 : 125 });
  }
}
