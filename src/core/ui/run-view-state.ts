import type { ExecutionResult } from '../../sandbox/index.js';
import type { NetworkLogKind } from '../../sandbox/index.js';
import type { RunPhase } from '../run/index.js';

/** Where one preparation phase (or the task itself) stands. */
export interface PhaseView {
  /** `failed`: only the task phase, when its run ended with any outcome but success. */
  state: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  detail: string | undefined;
  startedAt: number | undefined;
  endedAt: number | undefined;
}

/** A tool call in the transcript. */
export interface ToolCallItem {
  kind: 'tool';
  id: string;
  name: string;
  /** One line saying what the call does. */
  summary: string;
  status: 'running' | 'ok' | 'error' | 'interrupted';
  startedAt: number;
  endedAt: number | undefined;
  /** The result's text once it came back. */
  result: string | undefined;
  /** True for calls a subagent made (shown indented under its Task call). */
  nested: boolean;
}

/** One entry of the live transcript, in arrival order. */
export type TranscriptItem =
  /** What the user asked (the first prompt and every follow-up). */
  | { kind: 'prompt'; text: string }
  /** Assistant prose, as Markdown. */
  | { kind: 'text'; text: string; nested: boolean }
  | ToolCallItem
  /** Something worth a line that is not Claude's answer: a warning, a retry notice. */
  | { kind: 'notice'; text: string }
  /** Why a run failed. */
  | { kind: 'error'; text: string };

/** One network log line kept for the panel. */
export interface NetworkLine {
  kind: NetworkLogKind;
  line: string;
}

/** The network sandbox's activity so far. */
export interface NetworkView {
  allowed: number;
  blocked: number;
  /** ERROR, STRIPPED and COLLAPSED lines. */
  problems: number;
  /** The last lines, DNS answers left out (one per request, they would crowd out the requests). */
  lines: NetworkLine[];
  /** How to allow the most recent blocked request. */
  lastBlockHint: string[] | undefined;
}

/** Turns, tokens and cost of one run, or of several added up. */
export interface RunTotals {
  turns: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/**
 * Everything the run views show, derived from the event stream alone by
 * {@link reduceRunEvent}. A follow-up in the same session keeps the transcript
 * and adds the finished run's totals to `previous`.
 */
export interface RunViewState {
  phases: Record<RunPhase, PhaseView>;
  /** The last lines of image build output. */
  buildLines: string[];
  /** The Claude Code download: bytes so far, the size if known, and when its first and latest events came (ms). */
  download: { bytes: number; total: number | undefined; startedAt: number; at: number } | undefined;
  transcript: TranscriptItem[];
  network: NetworkView;
  /** Totals of earlier runs of this session in this view. */
  previous: RunTotals;
  /** The current run so far (replaced by its result's figures when it ends). */
  current: RunTotals;
  /** Latest usage per assistant message id: Claude Code repeats a message's usage on each of its content blocks. */
  messageUsage: Record<string, { input: number; output: number }>;
  sessionId: string | undefined;
  model: string | undefined;
  /** When the first run started (clock of the caller). */
  startedAt: number;
  /** The last lines Claude Code wrote to stderr. */
  stderrTail: string[];
  /** Set when the current run ended; cleared by a follow-up. */
  result: ExecutionResult | undefined;
}

/** Phases in the order they happen, for display. */
export const PHASE_ORDER: readonly RunPhase[] = ['image', 'claude-binary', 'proxy', 'task'];

/** What each phase is called on screen. */
export const PHASE_LABELS: Readonly<Record<RunPhase, string>> = {
  image: 'Container image',
  'claude-binary': 'Claude Code binary',
  proxy: 'Network sandbox',
  task: 'Claude Code',
};

/** Lines kept of build output, network activity and stderr. */
export const KEPT_BUILD_LINES = 4;
export const KEPT_NETWORK_LINES = 6;
export const KEPT_STDERR_LINES = 10;

/** The state before any event: every phase pending, the prompt as the first transcript entry. */
export function initialRunViewState(prompt: string, startedAt: number): RunViewState {
  const pending = (): PhaseView => ({ state: 'pending', detail: undefined, startedAt: undefined, endedAt: undefined });
  return {
    phases: { image: pending(), 'claude-binary': pending(), proxy: pending(), task: pending() },
    buildLines: [],
    download: undefined,
    transcript: prompt === '' ? [] : [{ kind: 'prompt', text: prompt }],
    network: { allowed: 0, blocked: 0, problems: 0, lines: [], lastBlockHint: undefined },
    previous: zeroTotals(),
    current: zeroTotals(),
    messageUsage: {},
    sessionId: undefined,
    model: undefined,
    startedAt,
    stderrTail: [],
    result: undefined,
  };
}

/** Totals of nothing. */
export function zeroTotals(): RunTotals {
  return { turns: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/** The session's totals: earlier runs plus the current one. */
export function sessionTotals(state: RunViewState): RunTotals {
  return {
    turns: state.previous.turns + state.current.turns,
    inputTokens: state.previous.inputTokens + state.current.inputTokens,
    outputTokens: state.previous.outputTokens + state.current.outputTokens,
    costUsd: state.previous.costUsd + state.current.costUsd,
  };
}
