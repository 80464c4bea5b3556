/**
 * Front ends for watching a run: the Ink TUI for terminals and plain lines for
 * everything else, both fed by the run event stream through one reducer. The
 * only part of Airut that imports ink or react.
 */
export { watchRunInTerminal, type TerminalWatchOptions } from './run-tui.js';
export { watchRunPlain, type PlainWatchOptions } from './run-plain.js';
export { watchExitCode, type RunHandle, type RunRequest, type SignalSource, type StartRun, type WatchOutcome } from './run-session.js';
export { reduceRunEvent, startFollowUp, describeOutcome } from './reduce-run-event.js';
export { plainLines } from './plain-lines.js';
export {
  initialRunViewState,
  sessionTotals,
  PHASE_LABELS,
  PHASE_ORDER,
  type NetworkLine,
  type NetworkView,
  type PhaseView,
  type RunTotals,
  type RunViewState,
  type ToolCallItem,
  type TranscriptItem,
} from './run-view-state.js';
