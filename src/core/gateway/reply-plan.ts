import { describeBudget, type ExecutionResult } from '../../sandbox/index.js';
import type { OutgoingReply } from '../channels/index.js';
import { receiptMarkdown, type Receipt } from '../receipt/index.js';
import { failureText, interruptedText, proxyFailureText, stoppedText, timeoutText, usageFooter } from './reply-text.js';
import type { CompletionReason } from './task-tracker.js';

/** What to send after a run, and what to do with the outbox. */
export interface ReplyPlan {
  reply: Omit<OutgoingReply, 'attachments'>;
  /**
   * The reply as the conversation's record keeps it: the text without the
   * receipt block, which is kept apart (receipts.jsonl). The recovery prompt
   * and the dashboard read this text.
   */
  recordText: string;
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
  /** The run's receipt: shown as a block at the end of every reply. Absent: no block. */
  receipt?: Receipt;
  /**
   * The repo lets users approve blocked requests from the thread
   * (`network.approvals` is not `off`): the receipt says how. Default true.
   */
  approvals?: boolean;
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
 * - a budget was reached: names it, what was spent of its limit and what to raise; the outbox ships;
 * - any other failure: says what happened with Claude's last lines; the outbox ships.
 *
 * With a receipt, every one of them ends with the receipt block (what the run
 * reached, its blocked requests numbered for `allow N`, tokens, cost, time),
 * unless the run had nothing to report; the one-line footer then leaves the
 * cost to the receipt.
 */
export function planReply(result: ExecutionResult, settings: ReplySettings): ReplyPlan {
  const receipt = settings.receipt === undefined || isQuiet(settings.receipt) ? undefined : settings.receipt;
  const text = planReplyText(result, settings, receipt !== undefined);
  const plan = { ...text, recordText: text.reply.markdown };
  if (receipt === undefined) return plan;
  const block = receiptMarkdown(receipt, { showCost: settings.showCost, approvals: settings.approvals ?? true });
  return { ...plan, reply: { ...plan.reply, markdown: `${plan.reply.markdown.trimEnd()}\n\n${block}` } };
}

/**
 * A run that sent nothing through the network sandbox, counted no usage and
 * carried no approvals has nothing to report: its reply stays as it is (a
 * real Claude run always reaches the Messages API, so it always has a block).
 */
function isQuiet(receipt: Receipt): boolean {
  return receipt.hosts.length === 0 && receipt.approvals.length === 0 && receipt.usage.calls === 0 && receipt.usage.mismatch === undefined;
}

function planReplyText(result: ExecutionResult, settings: ReplySettings, withReceipt: boolean): Omit<ReplyPlan, 'recordText'> {
  if (result.outcome === 'success') {
    // The receipt shows the cost with the tokens; the footer would say it twice.
    const showCost = settings.showCost && !withReceipt;
    const footer = usageFooter(result, { showCost, ...(settings.conversationUrl ? { conversationUrl: settings.conversationUrl } : {}) });
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
  if (result.outcome === 'budget_exceeded' && result.budget !== undefined) {
    return { reply: { kind: 'error', markdown: describeBudget(result.budget) }, attachOutbox: true, reason: 'budget_exceeded' };
  }
  return { reply: { kind: 'error', markdown: failureText(result) }, attachOutbox: true, reason: 'execution_failed' };
}
