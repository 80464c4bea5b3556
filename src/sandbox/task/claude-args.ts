/** Per-run Claude Code settings. */
export interface ClaudeRunSettings {
  /** Continue this session (from a previous result's `sessionId`). */
  sessionId?: string;
  /** Model alias or id, e.g. `sonnet`, `opus`. Default: Claude Code's own. */
  model?: string;
  /** Effort level (`--effort`), e.g. `low`, `medium`, `high`. */
  effort?: string;
}

/**
 * Claude Code's arguments for a headless run. The entrypoint execs the binary
 * with exactly these (the binary path is not repeated); the prompt comes on
 * stdin, which `-p` reads when no prompt argument is given.
 */
export function claudeArgs(settings: ClaudeRunSettings): string[] {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'];
  if (settings.sessionId) args.push('--resume', settings.sessionId);
  if (settings.model) args.push('--model', settings.model);
  if (settings.effort) args.push('--effort', settings.effort);
  return args;
}
