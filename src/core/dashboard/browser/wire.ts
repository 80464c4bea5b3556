/**
 * The parts of the server's event payloads the browser modules read, as
 * plain data. The task stream's `run` events carry the run event stream
 * (`src/core/run/run-event.ts`); these types name only the fields used here.
 */

/** One content block of a Claude message. */
export interface ContentBlockWire {
  type: string;
  text?: string;
  name?: string;
  input?: unknown;
  content?: unknown;
  isError?: boolean;
}

/** A stream-json event of Claude Code as parsed by the sandbox. */
export interface ClaudeEventWire {
  type: string;
  content?: ContentBlockWire[];
}

/** A finished run's result, as much as the task page shows. */
export interface RunResultWire {
  outcome: string;
  stopped?: boolean;
  durationMs: number;
  numTurns: number;
  costUsd: number;
  usage: { inputTokens: number; outputTokens: number };
}

/** One event of a task's run. */
export type RunEventWire =
  | { type: 'claude'; event: ClaudeEventWire }
  | { type: 'network'; event: { event: string; kind: string; line: string } }
  | { type: 'finished'; result: RunResultWire }
  | { type: 'warning'; message: string }
  | { type: 'phase' | 'build-output' | 'download-progress' | 'stderr' };

