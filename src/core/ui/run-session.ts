import type { ExecutionResult } from '../../sandbox/index.js';
import type { RunEventSink } from '../run/index.js';

/** One prompt to run: a new session, or a follow-up in an existing one. */
export interface RunRequest {
  prompt: string;
  /** The session to continue; undefined starts a new one. */
  resumeSessionId: string | undefined;
}

/** A run in progress, as the front ends drive it. */
export interface RunHandle {
  /** Settles when the run has ended and everything it started is gone. */
  result: Promise<ExecutionResult>;
  /** Asks the task to stop (SIGTERM, then cleanup); `result` still settles. */
  stop(): Promise<void>;
  /** Ends the task at once (no grace period); used on a second interrupt. `result` still settles. */
  kill(): Promise<void>;
}

/** Starts one run, sending its events to `emit`. Supplied by the command, which knows the settings. */
export type StartRun = (request: RunRequest, emit: RunEventSink) => RunHandle;

/** How a watched run (or a chain of follow-ups) ended. */
export interface WatchOutcome {
  /** The result of the last run; undefined when none started or it failed before producing one. */
  result: ExecutionResult | undefined;
  /** The session to continue later, when Claude reported one. */
  sessionId: string | undefined;
  /** True when the user interrupted a run. */
  interrupted: boolean;
  /** 0 when the last run succeeded, 130 when the user stopped it, 1 otherwise. */
  exitCode: number;
}

/** Where interrupts come from: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** The exit code for a watched run's end. */
export function watchExitCode(result: ExecutionResult | undefined, interrupted: boolean): number {
  if (interrupted) return 130;
  // Airut's own failure, as `sandbox exec` reports it: the run's network proxy failed.
  if (result?.outcome === 'proxy_failed') return 125;
  return result?.outcome === 'success' ? 0 : 1;
}
