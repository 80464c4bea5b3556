/**
 * The one task pipeline: prepares the image, Claude Code and the network
 * sandbox, runs a prompt or a command in a task container, tears down, and
 * reports it all as one typed event stream with one result. `airut sandbox
 * exec`, `airut run` and the gateway call it; they differ only in the
 * {@link TaskSpec} they pass and in how they render the events.
 */
export { runTask, type TaskResultOf } from './run-task.js';
export type {
  ClaudeBinarySource,
  CommandWork,
  OpenedNetwork,
  PromptWork,
  TaskContext,
  TaskImageSource,
  TaskNetworkSource,
  TaskRun,
  TaskSpec,
  TaskWork,
} from './task-spec.js';
export type { RunEvent, RunEventSink, RunPhase } from './task-event.js';
export { stoppedResult, stoppedCommandResult } from './stopped-result.js';
export { commandExitCode, EXIT_AIRUT_FAILED, EXIT_KILLED, EXIT_STOPPED, EXIT_TIMEOUT } from './command-exit-code.js';
