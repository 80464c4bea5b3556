import { buildExecutionResult, type CommandResult, type ExecutionResult } from '../../sandbox/index.js';

/**
 * The result of a Claude task stopped before Claude Code ran (during the
 * image build, the download, the network start, or while a caller prepared
 * the workspace): outcome `container_failed` with `stopped` set, no events,
 * no session. Every caller reports such a stop with this one builder.
 */
export function stoppedResult(): ExecutionResult {
  return buildExecutionResult({ exitCode: undefined, timedOut: false, stopped: true, events: [], stderr: '', wallClockMs: 0 });
}

/** The result of a command task stopped before its command started. */
export function stoppedCommandResult(): CommandResult {
  return { exitCode: undefined, stdout: '', stderr: '', durationMs: 0, timedOut: false, stopped: true };
}
