import type { ClaudeEvent, ResultEvent, TokenUsage } from './events.js';
import { classifyOutcome, type BudgetExceeded, type Outcome, type OutcomeInput } from './outcome.js';
import { lastLines, selectResponseText, summarizeError } from './response-text.js';

/** What one Claude run produced, ready for a reply, a log or a dashboard. */
export interface ExecutionResult {
  outcome: Outcome;
  /** The session to pass to the next run to continue it; `''` when Claude never reported one. */
  sessionId: string;
  /** The reply for the user; `''` unless the outcome is `success`. */
  responseText: string;
  /** Claude's own timing summed over its result events, or wall-clock time when it reported none. */
  durationMs: number;
  /** `total_cost_usd` of the last result event (Claude Code reports it cumulatively). */
  costUsd: number;
  /** Turns summed over all result events. */
  numTurns: number;
  /** True when the last result said so, or when the outcome is not `success`. */
  isError: boolean;
  /** Token usage of the last result event; zeros when there was none. */
  usage: TokenUsage;
  /** Web searches: WebSearch tool calls or server-side searches, whichever is higher. */
  webSearchRequests: number;
  /** Web fetches: WebFetch tool calls or server-side fetches, whichever is higher. */
  webFetchRequests: number;
  /** Up to 10 lines saying what went wrong; undefined on `success`. */
  errorSummary: string | undefined;
  /** Every event parsed from stdout, in order. */
  events: readonly ClaudeEvent[];
  /** The container's exit code; undefined when it was killed by a signal. */
  exitCode: number | undefined;
  timedOut: boolean;
  stopped: boolean;
  /** Why the network proxy failed, when the run was ended for that (outcome `proxy_failed`). */
  proxyFailure?: string;
  /** The spending cap the proxy refused a request for (outcome `budget_exceeded`): what to raise, its limit, what was spent. */
  budget?: BudgetExceeded;
  /** The last lines of stderr (at most 20 lines and 4000 characters). */
  stderrTail: string;
}

/** What {@link buildExecutionResult} needs from a finished run: what the outcome is classified from, plus the run's length. */
export interface ExecutionFacts extends OutcomeInput {
  /** Wall-clock run time, used when Claude reported no duration. */
  wallClockMs: number;
}

const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 4000;

/**
 * Folds a finished run into an {@link ExecutionResult}. Pure: the task runner
 * collects events and stderr while streaming and calls this once at the end.
 *
 * With several result events (Claude Code emits one more per background task
 * that completes after the main answer), duration and turns add up while cost
 * and usage come from the last one, which already includes the earlier ones.
 */
export function buildExecutionResult(facts: ExecutionFacts): ExecutionResult {
  const { events } = facts;
  const stopped = facts.stopped === true;
  const { proxyFailure, budgetExceeded } = facts;
  const outcome = classifyOutcome({ exitCode: facts.exitCode, timedOut: facts.timedOut, stopped, proxyFailure, budgetExceeded, events, stderr: facts.stderr });
  const results = events.filter((e): e is ResultEvent => e.type === 'result');
  const last = results.at(-1);
  const stderrTail = tailOf(facts.stderr);

  const reportedMs = results.reduce((sum, r) => sum + r.durationMs, 0);
  const usage = last?.usage ?? emptyUsage();
  const toolCalls = countToolCalls(events);

  return {
    outcome,
    sessionId: sessionIdOf(events, last),
    responseText: outcome === 'success' ? selectResponseText(events) : '',
    durationMs: reportedMs > 0 ? reportedMs : Math.max(0, Math.round(facts.wallClockMs)),
    costUsd: last?.totalCostUsd ?? 0,
    numTurns: results.reduce((sum, r) => sum + r.numTurns, 0),
    isError: outcome !== 'success' || last?.isError === true,
    usage,
    webSearchRequests: Math.max(toolCalls.WebSearch, usage.webSearchRequests),
    webFetchRequests: Math.max(toolCalls.WebFetch, usage.webFetchRequests),
    errorSummary: outcome === 'success' ? undefined
      : proxyFailure !== undefined ? `The network sandbox's proxy failed, so the run was stopped: ${proxyFailure}`
        : outcome === 'budget_exceeded' && budgetExceeded !== undefined ? describeBudget(budgetExceeded)
          : (summarizeError(events, stderrTail) ?? describeFailure(outcome, stopped, facts.exitCode)),
    events,
    exitCode: facts.exitCode,
    timedOut: facts.timedOut,
    stopped,
    ...(proxyFailure === undefined ? {} : { proxyFailure }),
    ...(outcome === 'budget_exceeded' && budgetExceeded !== undefined ? { budget: budgetExceeded } : {}),
    stderrTail,
  };
}

/** The last result's session, else the init event's, else the latest any event named. */
function sessionIdOf(events: readonly ClaudeEvent[], last: ResultEvent | undefined): string {
  if (last?.sessionId) return last.sessionId;
  const init = events.find((e) => e.type === 'system' && e.subtype === 'init' && e.sessionId);
  if (init?.sessionId) return init.sessionId;
  return events.findLast((e) => e.sessionId)?.sessionId ?? '';
}

/**
 * Counts WebSearch and WebFetch calls. Claude Code's WebFetch runs on the
 * client and shows only as a tool call; its WebSearch runs on the API and may
 * search several times per call, which shows only in `server_tool_use`. Taking
 * the higher of the two sources neither misses nor double-counts either kind.
 */
function countToolCalls(events: readonly ClaudeEvent[]): { WebSearch: number; WebFetch: number } {
  const counts = { WebSearch: 0, WebFetch: 0 };
  for (const event of events) {
    if (event.type !== 'assistant') continue;
    for (const block of event.content) {
      if (block.type === 'tool_use' && (block.name === 'WebSearch' || block.name === 'WebFetch')) counts[block.name]++;
    }
  }
  return counts;
}

/** One line: which cap, what was spent of its limit, what to raise. */
export function describeBudget(budget: BudgetExceeded): string {
  const amount = (n: number): string => (budget.unit === 'usd' ? `$${n.toFixed(n >= 1 ? 2 : 4)}` : `${Math.round(n)} bytes`);
  const raise = budget.name.startsWith('-') ? `the ${budget.name} flag` : budget.name;
  return `The run reached its budget ${budget.name}: ${amount(budget.spent)} spent of ${amount(budget.limit)}, so the proxy refused further ${budget.unit === 'usd' ? 'Messages API calls' : 'requests'}. Raise ${raise} to allow more.`;
}

function tailOf(stderr: string | readonly string[]): string {
  const text = typeof stderr === 'string' ? stderr : stderr.map((l) => (l.endsWith('\n') ? l : `${l}\n`)).join('');
  const tail = lastLines(text, STDERR_TAIL_LINES);
  return tail.length > STDERR_TAIL_CHARS ? tail.slice(-STDERR_TAIL_CHARS) : tail;
}

function describeFailure(outcome: Outcome, stopped: boolean, exitCode: number | undefined): string {
  if (stopped) return 'The run was stopped before it finished.';
  switch (outcome) {
    case 'timeout':
      return 'The run exceeded its time limit and was stopped; Claude printed nothing before that.';
    case 'prompt_too_long':
      return 'Prompt is too long.';
    case 'session_corrupted':
      return 'The API rejected the session (HTTP 4xx).';
    default:
      return exitCode === undefined
        ? 'Claude Code was killed before it finished and printed nothing.'
        : `Claude Code exited with code ${exitCode} and printed nothing.`;
  }
}

function emptyUsage(): TokenUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    webSearchRequests: 0,
    webFetchRequests: 0,
    extra: {},
  };
}
