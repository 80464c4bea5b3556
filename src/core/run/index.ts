/**
 * Command-line runs of the sandbox (`airut sandbox exec`, `airut run`):
 * resolve flags and the repository's sandbox files into settings, then run
 * a prompt or a command through the task pipeline, reporting progress as
 * one typed event stream.
 */
export type { RunEvent, RunEventSink, RunPhase } from './run-event.js';
export { RunError, type RunErrorCode } from './error.js';
export type { RunFlags, RunMode, RunSettings, RunNetworkSettings, RunClaudeSettings } from './run-settings.js';
export { resolveRunSettings, type RunEnv } from './resolve-run-settings.js';
export { runPrompt, checkPrompt, type PromptRun, type PromptRunOptions, type PromptRunResult } from './run-prompt.js';
export { runCommand, type CommandRun, type CommandRunOptions, type CommandRunResult } from './run-command.js';
export { commandExitCode, EXIT_AIRUT_FAILED, EXIT_KILLED, EXIT_STOPPED, EXIT_TIMEOUT } from '../pipeline/index.js';
export { cliTask, claudeBinarySource, runCliTask, CLI_RESOURCE_PREFIX, type CliTask, type RunDependencies, type WithWorktree } from './cli-task.js';
export { formatProgress, CLAUDE_STDERR_PREFIX, type ProgressOptions } from './format-progress.js';
export { createProgressFormatter, type ProgressFormatterOptions } from './progress-formatter.js';
export { createDownloadGate, downloadBar, downloadSpeed, formatBytes, isDownloadStep, type DownloadGateOptions, type DownloadReport } from './download-progress.js';
export { parseMount, parseUpstreamHosts } from './flag-values.js';
export { findGitRoot } from './find-git-root.js';
export { repoStateDir, readLastSession, writeLastSession, LAST_SESSION_FILE, CLAUDE_HOME_DIR } from './repo-state.js';
export { claudeCredentials, CLAUDE_CREDENTIAL_VARIABLES, ANTHROPIC_API_HOST } from './claude-credentials.js';
export { WORKSPACE_PATH, createWorktree, liveWorkspace, type RunWorkspace } from './workspace.js';
export { describeBudget } from '../../sandbox/index.js';
