import type { ExecutionResult } from '../../sandbox/index.js';
import type { OutgoingReply } from '../channels/index.js';
import { failureText, interruptedText, proxyFailureText, stoppedText, timeoutText, usageFooter } from './reply-text.js';
import type { CompletionReason } from './task-tracker.js';

/** What to send after a run, and what to do with the outbox. */
export interface ReplyPlan {
  reply: Omit<OutgoingReply, 'attachments'>;
  /** Attach the outbox files (and clear them once the reply is delivered). */
  attachOutbox: boolean;
  reason: CompletionReason;
}

/** The settings that shape a reply. */
export interface ReplySettings {
  timeoutSeconds: number | undefined;
  showCost: boolean;
  conversationUrl: string | undefined;
  /** True when the run was stopped because the service is shutting down. */
  shuttingDown: boolean;
  /** True when the operator stopped this task from the dashboard. */
  stoppedByOperator?: boolean;
}

/**
 * Decides the reply to a finished run. Pure, so every outcome's wording and
 * attachment rule is tested without a container:
 *
 * - success: Claude's answer with the usage footer and the outbox files;
 * - timeout: says so and that the work is kept; the outbox stays for the next reply;
 * - stopped from the dashboard: says so and that the work is kept;
 * - stopped at shutdown: says the service stopped and the work is kept;
 * - the network proxy failed: says so, with its reason; the outbox ships;
 * - any other failure: says what happened with Claude's last lines; the outbox ships.
 */
export function planReply(result: ExecutionResult, settings: ReplySettings): ReplyPlan {
  if (result.outcome === 'success') {
    const footer = usageFooter(result, { showCost: settings.showCost, ...(settings.conversationUrl ? { conversationUrl: settings.conversationUrl } : {}) });
    return { reply: { kind: 'result', markdown: result.responseText, ...(footer ? { footer } : {}) }, attachOutbox: true, reason: 'success' };
  }
  if (result.outcome === 'timeout') {
    return { reply: { kind: 'error', markdown: timeoutText(settings.timeoutSeconds) }, attachOutbox: false, reason: 'timeout' };
  }
  if (result.stopped && settings.stoppedByOperator === true) {
    return { reply: { kind: 'interrupted', markdown: stoppedText(true) }, attachOutbox: false, reason: 'stopped' };
  }
  if (result.stopped && settings.shuttingDown) {
    return { reply: { kind: 'interrupted', markdown: interruptedText() }, attachOutbox: false, reason: 'interrupted' };
  }
  if (result.outcome === 'proxy_failed') {
    return { reply: { kind: 'error', markdown: proxyFailureText(result) }, attachOutbox: true, reason: 'proxy_failed' };
  }
  return { reply: { kind: 'error', markdown: failureText(result) }, attachOutbox: true, reason: 'execution_failed' };
}
