import type { ClaudeEvent } from './events.js';

/**
 * How a Claude run ended.
 *
 * - `success`: Claude Code exited 0 (even when it reported an error in its result).
 * - `timeout`: the run hit its time limit and was killed; partial work is kept.
 * - `prompt_too_long`: the resumed session no longer fits the context window.
 * - `session_corrupted`: the API rejected the request with a 4xx (e.g. a
 *   tool_use without its tool_result after a crash mid-turn).
 * - `proxy_failed`: the network sandbox's proxy died or stopped answering, so
 *   the run was ended at once (Airut's failure, not Claude's or the session's).
 * - `budget_exceeded`: the proxy refused a request because a spending cap of
 *   the run (cost or egress bytes) was reached; which one is in
 *   {@link OutcomeInput.budgetExceeded}.
 * - `container_failed`: anything else, including a run stopped on request.
 *
 * Callers retry `prompt_too_long` and `session_corrupted` once in a fresh session.
 */
export type Outcome = 'success' | 'timeout' | 'prompt_too_long' | 'session_corrupted' | 'proxy_failed' | 'budget_exceeded' | 'container_failed';

/** Every {@link Outcome}, e.g. for validating a stored value. */
export const OUTCOMES: readonly Outcome[] = ['success', 'timeout', 'prompt_too_long', 'session_corrupted', 'proxy_failed', 'budget_exceeded', 'container_failed'];

/** The spending cap that made the proxy refuse a request: its config key (or flag), limit and what was spent against it. */
export interface BudgetExceeded {
  /** The config key (or flag) that sets the cap, e.g. `budgets.cost_usd.run` or `--budget-usd`: what to raise. */
  name: string;
  limit: number;
  /** Spent against the cap, earlier runs included when the cap spans them (a conversation's, a repo's day). */
  spent: number;
  unit: 'usd' | 'bytes';
}

/** What {@link classifyOutcome} looks at. */
export interface OutcomeInput {
  /** The container's exit code; undefined when it was killed by a signal. */
  exitCode: number | undefined;
  /** True when the run was killed for exceeding its time limit. */
  timedOut: boolean;
  /** True when the run was ended by `stop()`. */
  stopped?: boolean;
  /** Set when the run was ended because its network proxy failed. */
  proxyFailure?: string;
  /** Set when the proxy refused a request of the run because a spending cap was reached. */
  budgetExceeded?: BudgetExceeded;
  /** Every event parsed from stdout, in order. */
  events: readonly ClaudeEvent[];
  /** Claude Code's stderr: the whole text or its lines. */
  stderr: string | readonly string[];
}

const PROMPT_TOO_LONG = 'Prompt is too long';
const API_ERROR = /API Error: (4\d\d)/g;
/**
 * 4xx statuses that say nothing about the session: authentication, permission
 * and rate limits. Starting over in a fresh session would only lose context.
 */
const NOT_SESSION_STATUSES = new Set([401, 403, 429]);

/**
 * Classifies a finished run. The order is the contract:
 *
 * 0. the proxy failed -> `proxy_failed`: the run was ended for it, so whatever
 *    Claude printed last (network errors) is a consequence, not the cause
 * 1. the proxy refused a request for a reached spending cap -> `budget_exceeded`:
 *    whatever Claude did next (an API error, giving up, waiting until the
 *    timeout) follows from the refusal
 * 2. timed out -> `timeout`
 * 3. stopped -> `container_failed`. A stop is the operator's decision; it must
 *    not look like a damaged session, which callers would retry.
 * 4. exit 0 -> `success`
 * 5. "Prompt is too long" in Claude's own output -> `prompt_too_long`
 * 6. "API Error: 4xx" in Claude's own output or stderr, or a result whose
 *    `api_error_status` is 4xx -> `session_corrupted`; except 401, 403 and
 *    429, which a fresh session would not cure
 * 7. otherwise -> `container_failed`
 *
 * "Claude's own output" is what Claude Code writes itself: result text and
 * errors, assistant text, and system or unknown events. Tool inputs and tool
 * results are left out on purpose: they carry data Claude handled (a log file it
 * read may well contain "API Error: 400"), not how the run went.
 */
export function classifyOutcome(input: OutcomeInput): Outcome {
  if (input.proxyFailure !== undefined) return 'proxy_failed';
  if (input.budgetExceeded !== undefined) return 'budget_exceeded';
  if (input.timedOut) return 'timeout';
  if (input.stopped === true) return 'container_failed';
  if (input.exitCode === 0) return 'success';
  const texts = ownTexts(input.events);
  if (texts.some((text) => text.includes(PROMPT_TOO_LONG))) return 'prompt_too_long';
  const stderr = typeof input.stderr === 'string' ? [input.stderr] : input.stderr;
  if (texts.some(hasSessionApiError) || stderr.some(hasSessionApiError)) return 'session_corrupted';
  if (input.events.some((e) => e.type === 'result' && e.apiErrorStatus !== undefined && isSessionStatus(e.apiErrorStatus))) {
    return 'session_corrupted';
  }
  return 'container_failed';
}

function hasSessionApiError(text: string): boolean {
  for (const match of text.matchAll(API_ERROR)) {
    if (isSessionStatus(Number(match[1]))) return true;
  }
  return false;
}

function isSessionStatus(status: number): boolean {
  return status >= 400 && status < 500 && !NOT_SESSION_STATUSES.has(status);
}

function ownTexts(events: readonly ClaudeEvent[]): string[] {
  const texts: string[] = [];
  for (const event of events) {
    switch (event.type) {
      case 'result':
        texts.push(event.resultText, ...event.errors);
        break;
      case 'assistant':
        for (const block of event.content) {
          if (block.type === 'text') texts.push(block.text);
        }
        break;
      case 'system':
      case 'unknown':
        texts.push(event.raw);
        break;
      case 'user':
        break;
    }
  }
  return texts;
}
