import type { AssistantEvent, ClaudeEvent, ExecutionResult, ResultEvent, UserEvent } from '../../sandbox/index.js';
import type { NetworkLogEvent } from '../../sandbox/index.js';
import type { RunEvent } from '../run/index.js';
import { describeBlockHint, parseBlockedLine } from './block-hint.js';
import {
  KEPT_BUILD_LINES,
  KEPT_NETWORK_LINES,
  KEPT_STDERR_LINES,
  zeroTotals,
  type PhaseView,
  type RunViewState,
  type ToolCallItem,
  type TranscriptItem,
} from './run-view-state.js';
import { summarizeToolInput, toolResultText } from './tool-summary.js';

/**
 * Folds one run event into the view state. Pure: `at` is the caller's clock
 * reading when the event arrived (it times phases and tool calls), and the
 * state passed in is never changed.
 */
export function reduceRunEvent(state: RunViewState, event: RunEvent, at: number): RunViewState {
  switch (event.type) {
    case 'phase':
      return { ...state, phases: { ...state.phases, [event.phase]: nextPhase(state.phases[event.phase], event.state, event.detail, at) } };
    case 'build-output': {
      const line = event.line.trimEnd();
      return line === '' ? state : { ...state, buildLines: keepLast([...state.buildLines, line], KEPT_BUILD_LINES) };
    }
    case 'download-progress':
      // A retry starts from zero again, and so does its speed.
      return { ...state, download: { bytes: event.bytes, total: event.total, startedAt: state.download === undefined || event.bytes < state.download.bytes ? at : state.download.startedAt, at } };
    case 'claude':
      return reduceClaude(state, event.event, at);
    case 'stderr':
      return { ...state, stderrTail: keepLast([...state.stderrTail, event.line.trimEnd()], KEPT_STDERR_LINES) };
    case 'network':
      return reduceNetwork(state, event.event);
    case 'warning':
      return { ...state, transcript: [...state.transcript, { kind: 'notice', text: event.message }] };
    case 'hold':
      // The access line that follows the hold's end is what the network view shows.
      return state;
    case 'finished':
      return reduceFinished(state, event.result, at);
  }
}

/**
 * The state for a follow-up prompt in the same session: the transcript and
 * network activity stay, the finished run's figures move to `previous`, and the
 * phases start over (the next run prepares again, mostly from caches).
 */
export function startFollowUp(state: RunViewState, prompt: string): RunViewState {
  const pending: PhaseView = { state: 'pending', detail: undefined, startedAt: undefined, endedAt: undefined };
  return {
    ...state,
    phases: { image: pending, 'claude-binary': pending, proxy: pending, task: pending },
    buildLines: [],
    download: undefined,
    transcript: [...state.transcript, { kind: 'prompt', text: prompt }],
    previous: {
      turns: state.previous.turns + state.current.turns,
      inputTokens: state.previous.inputTokens + state.current.inputTokens,
      outputTokens: state.previous.outputTokens + state.current.outputTokens,
      costUsd: state.previous.costUsd + state.current.costUsd,
    },
    current: zeroTotals(),
    messageUsage: {},
    stderrTail: [],
    result: undefined,
  };
}

function nextPhase(phase: PhaseView, change: 'started' | 'finished' | 'skipped', detail: string | undefined, at: number): PhaseView {
  const kept = detail ?? phase.detail;
  switch (change) {
    case 'started':
      return { state: 'running', detail: detail, startedAt: at, endedAt: undefined };
    case 'finished':
      return { state: 'done', detail: kept, startedAt: phase.startedAt ?? at, endedAt: at };
    case 'skipped':
      return { state: 'skipped', detail: kept, startedAt: phase.startedAt, endedAt: at };
  }
}

function reduceClaude(state: RunViewState, event: ClaudeEvent, at: number): RunViewState {
  switch (event.type) {
    case 'system':
      if (event.subtype === 'init') return { ...state, sessionId: event.sessionId ?? state.sessionId, model: event.model ?? state.model };
      return { ...state, transcript: [...state.transcript, { kind: 'notice', text: `Claude Code: ${event.subtype ?? 'system notice'}` }] };
    case 'assistant':
      return reduceAssistant(state, event, at);
    case 'user':
      return reduceUser(state, event, at);
    case 'result':
      return reduceResult(state, event);
    case 'unknown':
      // Newer Claude Code event kinds: kept in the event log, not worth a transcript line.
      return state;
  }
}

function reduceAssistant(state: RunViewState, event: AssistantEvent, at: number): RunViewState {
  const nested = event.parentToolUseId !== undefined;
  const added: TranscriptItem[] = [];
  for (const block of event.content) {
    if (block.type === 'text' && block.text.trim() !== '') added.push({ kind: 'text', text: block.text, nested });
    if (block.type === 'tool_use') {
      added.push({
        kind: 'tool',
        id: block.id,
        name: block.name,
        summary: summarizeToolInput(block.name, block.input),
        status: 'running',
        startedAt: at,
        endedAt: undefined,
        result: undefined,
        nested,
      });
    }
  }
  const withUsage = countUsage(state, event, nested);
  return {
    ...withUsage,
    sessionId: state.sessionId ?? event.sessionId,
    model: state.model ?? event.model,
    transcript: added.length === 0 ? state.transcript : [...state.transcript, ...added],
  };
}

/**
 * Live tokens and turns: one turn per top-level message, tokens summed over
 * messages (the latest usage of each, since a message's blocks each repeat it).
 */
function countUsage(state: RunViewState, event: AssistantEvent, nested: boolean): RunViewState {
  const message = event.data.message;
  if (typeof message !== 'object' || message === null) return state;
  const { id, usage } = message as { id?: unknown; usage?: unknown };
  if (typeof id !== 'string') return state;
  const counts = typeof usage === 'object' && usage !== null ? (usage as Record<string, unknown>) : {};
  const num = (key: string): number => (typeof counts[key] === 'number' ? counts[key] : 0);
  const isNewTurn = !nested && state.messageUsage[id] === undefined;
  const messageUsage = {
    ...state.messageUsage,
    [id]: { input: num('input_tokens') + num('cache_creation_input_tokens') + num('cache_read_input_tokens'), output: num('output_tokens') },
  };
  const entries = Object.values(messageUsage);
  return {
    ...state,
    messageUsage,
    current: {
      ...state.current,
      turns: state.current.turns + (isNewTurn ? 1 : 0),
      inputTokens: entries.reduce((sum, u) => sum + u.input, 0),
      outputTokens: entries.reduce((sum, u) => sum + u.output, 0),
    },
  };
}

function reduceUser(state: RunViewState, event: UserEvent, at: number): RunViewState {
  const results = new Map<string, { text: string; isError: boolean }>();
  for (const block of event.content) {
    if (block.type === 'tool_result') results.set(block.toolUseId, { text: toolResultText(block.content), isError: block.isError });
  }
  if (results.size === 0) return state;
  const transcript = state.transcript.map((item): TranscriptItem => {
    if (item.kind !== 'tool') return item;
    const result = results.get(item.id);
    if (result === undefined) return item;
    return { ...item, status: result.isError ? 'error' : 'ok', endedAt: at, result: result.text };
  });
  return { ...state, transcript };
}

function reduceResult(state: RunViewState, event: ResultEvent): RunViewState {
  const usage = event.usage;
  const current = {
    turns: event.numTurns,
    inputTokens: usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens,
    outputTokens: usage.outputTokens,
    costUsd: event.totalCostUsd,
  };
  const errorText = event.isError ? (event.errors.length > 0 ? event.errors.join('\n') : event.resultText) : '';
  const transcript: TranscriptItem[] = errorText === '' ? state.transcript : [...state.transcript, { kind: 'error', text: errorText }];
  return { ...state, current, transcript, sessionId: event.sessionId ?? state.sessionId };
}

function reduceNetwork(state: RunViewState, event: NetworkLogEvent): RunViewState {
  if (event.kind === 'DNS' || event.kind === 'TASK_START') return state;
  const network = { ...state.network, lines: keepLast([...state.network.lines, { kind: event.kind, line: event.line }], KEPT_NETWORK_LINES) };
  if (event.kind === 'ALLOWED') network.allowed++;
  else if (event.kind === 'BLOCKED') {
    network.blocked++;
    const blocked = parseBlockedLine(event.line);
    if (blocked !== undefined) network.lastBlockHint = describeBlockHint(blocked);
  } else network.problems++;
  return { ...state, network };
}

function reduceFinished(state: RunViewState, result: ExecutionResult, at: number): RunViewState {
  const transcript = state.transcript.map((item): TranscriptItem =>
    item.kind === 'tool' && item.status === 'running' ? ({ ...item, status: 'interrupted', endedAt: at } satisfies ToolCallItem) : item,
  );
  if (result.outcome !== 'success') {
    const summary = result.errorSummary ?? 'The run failed.';
    // The result event may already have said the same; say it once, with how the run ended.
    const repeated = transcript.findIndex((item) => item.kind === 'error' && item.text === summary);
    if (repeated >= 0) transcript.splice(repeated, 1);
    transcript.push({ kind: 'error', text: `${describeOutcome(result)}: ${summary}` });
  }
  // Without a result event (a stop, a crash) the live counts are the best figures there are.
  const reported = result.numTurns > 0 || result.costUsd > 0;
  const current = reported
    ? {
        turns: result.numTurns,
        inputTokens: result.usage.inputTokens + result.usage.cacheCreationInputTokens + result.usage.cacheReadInputTokens,
        outputTokens: result.usage.outputTokens,
        costUsd: result.costUsd,
      }
    : state.current;
  const task = state.phases.task;
  const failed = result.outcome !== 'success';
  const phases = task.state === 'running' || (failed && task.state === 'done')
    ? { ...state.phases, task: { ...task, state: failed ? ('failed' as const) : ('done' as const), endedAt: task.endedAt ?? at } }
    : state.phases;
  return { ...state, transcript, current, phases, result, sessionId: result.sessionId === '' ? state.sessionId : result.sessionId };
}

/** A short name for how a run ended, for the error line. */
export function describeOutcome(result: { outcome: string; stopped: boolean }): string {
  if (result.stopped) return 'Stopped';
  switch (result.outcome) {
    case 'timeout':
      return 'Timed out';
    case 'prompt_too_long':
      return 'Prompt too long';
    case 'session_corrupted':
      return 'Session rejected';
    case 'proxy_failed':
      return 'Network proxy failed';
    case 'budget_exceeded':
      return 'Budget exceeded';
    case 'container_failed':
      return 'Failed';
    default:
      return 'Finished';
  }
}

function keepLast<T>(items: T[], count: number): T[] {
  return items.length > count ? items.slice(items.length - count) : items;
}
