import type { ExecutionResult } from '../../sandbox/index.js';
import type { ConversationLayout } from '../conversation/index.js';
import type { RunEventSink } from '../run/index.js';

/** One Claude run the gateway asks for. */
export interface TaskRequest {
  repoId: string;
  conversationId: string;
  /** The conversation's directories; its dir is the run's execution context. */
  layout: ConversationLayout;
  prompt: string;
  /** Session to resume; absent for a fresh session. */
  sessionId?: string;
  model: string;
  effort?: string;
  /** Aborting it stops the run; the result then says `stopped`. */
  signal: AbortSignal;
  /** Every event of the run (phases, Claude's stream, network lines). */
  onEvent: RunEventSink;
}

/**
 * Runs Claude for the gateway. Claude's own failures (timeout, crash, prompt
 * too long) are results; a failure to set the run up (image, network) throws.
 */
export interface TaskRunner {
  run(request: TaskRequest): Promise<ExecutionResult>;
  /** Releases what the runner keeps between runs (a prepared network); called once its repo stops. */
  close?(): Promise<void>;
}
