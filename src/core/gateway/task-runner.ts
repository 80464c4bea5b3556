import type { ApprovalDocument, CommandResult, ExecutionResult } from '../../sandbox/index.js';
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
  /** The conversation's approvals in effect, laid over the repository's allowlist for this run. */
  approvals?: readonly ApprovalDocument[];
}

/** One command run in a conversation's sandbox (a schedule's trigger). */
export interface CommandRequest {
  repoId: string;
  conversationId: string;
  layout: ConversationLayout;
  /** The command as argv: no shell. */
  argv: readonly string[];
  /** Default: the repo's task timeout. */
  timeoutSeconds?: number;
  signal: AbortSignal;
  onEvent: RunEventSink;
}

/**
 * Runs Claude for the gateway. Claude's own failures (timeout, crash, prompt
 * too long) are results; a failure to set the run up (image, network) throws.
 */
export interface TaskRunner {
  run(request: TaskRequest): Promise<ExecutionResult>;
  /**
   * Runs a command in the repo's image behind the same network sandbox, with
   * the conversation's directories mounted and no Claude. Runners without it
   * cannot serve `trigger_command` schedules (such a fire fails, logged).
   */
  runCommand?(request: CommandRequest): Promise<CommandResult>;
  /**
   * Answers a held request of a running task (see `RunEvent` `hold`): true
   * when the answer reached its proxy. Runners that hold nothing lack it.
   */
  decide?(contextId: string, holdId: string, allow: boolean): boolean;
  /** Releases what the runner keeps between runs (a prepared network); called once its repo stops. */
  close?(): Promise<void>;
}
