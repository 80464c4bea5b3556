import type { ExecutionResult } from '../../sandbox/index.js';

/** Acknowledgement sent when a new conversation's task starts. */
export function acknowledgementText(conversationUrl: string | undefined): string {
  const base = "I've started working on this and will reply when I'm done.";
  return conversationUrl === undefined ? base : `${base} See progress at ${conversationUrl}`;
}

/** Reply when the run hit its time limit; its work is kept in the workspace. */
export function timeoutText(timeoutSeconds: number | undefined): string {
  const after = timeoutSeconds === undefined ? '' : ` after ${timeoutSeconds} seconds`;
  return `The task was stopped${after} because it ran out of time. The work done so far has been kept in the workspace.\n\nReply to continue; you can ask where it got to or what to do next.`;
}

/** Reply when the service was shut down while the run was in progress. */
export function interruptedText(): string {
  return 'The task was interrupted because the Airut service was shut down. The work done so far has been kept in the workspace.\n\nReply to continue where it left off.';
}

/**
 * Reply when the operator stopped the task from the dashboard: before it ran
 * (a queued task) or during its run, whose work is kept.
 */
export function stoppedText(started: boolean): string {
  return started
    ? 'The task was stopped from the Airut dashboard before it finished. The work done so far has been kept in the workspace.\n\nReply to continue where it left off.'
    : 'The task was stopped from the Airut dashboard before it started, so nothing was done for this message.\n\nReply to continue the conversation.';
}

/**
 * Reply when Claude's run failed: what happened, that the work so far is
 * kept, and the last lines Claude printed (in a code block) when there are any.
 */
export function failureText(result: ExecutionResult): string {
  const head = 'An error occurred while processing your message. The work done so far has been kept in the workspace. To retry, send your message again.';
  const summary = result.errorSummary?.trim();
  if (summary === undefined || summary === '') return head;
  return `${head}\n\nClaude output:\n\n\`\`\`\n${summary.replaceAll('```', "'''")}\n\`\`\``;
}

/** Reply when the run was ended because the network sandbox's proxy failed: the reason, and that it was not the request's fault. */
export function proxyFailureText(result: ExecutionResult): string {
  const head = 'The network sandbox failed during the run, so it was stopped: the task had lost its network. This is a fault of the service, not of your request. The work done so far has been kept in the workspace. To retry, send your message again.';
  const reason = result.proxyFailure?.trim();
  if (reason === undefined || reason === '') return head;
  return `${head}\n\nWhat failed:\n\n\`\`\`\n${reason.replaceAll('```', "'''")}\n\`\`\``;
}

/** Reply when something outside Claude's run failed (git, the image, the network sandbox). */
export function internalErrorText(error: unknown, what = 'processing your message'): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return `An error occurred while ${what}. To retry, send your message again.\n\n\`${name}: ${message.replaceAll('`', "'")}\``;
}

/** Reply to a message with nothing to act on. */
export const EMPTY_MESSAGE_TEXT = 'Your message appears to be empty. Please send a new message with instructions.';

/**
 * One-line usage footer of a successful reply, or undefined when there is
 * nothing to say. Cost is left out when it is 0 or the repo's Claude runs on a
 * subscription (where a dollar figure would mislead).
 */
export function usageFooter(result: ExecutionResult, options: { showCost: boolean; conversationUrl?: string }): string | undefined {
  const parts: string[] = [];
  if (options.showCost && result.costUsd > 0) parts.push(`Cost: $${result.costUsd.toFixed(4)}`);
  if (result.webSearchRequests > 0) parts.push(`Web searches: ${result.webSearchRequests}`);
  if (result.webFetchRequests > 0) parts.push(`Web fetches: ${result.webFetchRequests}`);
  if (options.conversationUrl !== undefined) parts.push(options.conversationUrl);
  return parts.length === 0 ? undefined : parts.join(' · ');
}
