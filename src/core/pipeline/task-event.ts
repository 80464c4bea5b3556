import type { ClaudeEvent, ExecutionResult, HoldEndEvent, HoldEvent, NetworkLogEvent } from '../../sandbox/index.js';

/**
 * The one typed event stream of a sandboxed run, from preparation to result.
 * The Ink TUI, the plain-text renderer, the dashboard's SSE and the channel
 * replies all consume this; producers pass an emitter in, never a singleton.
 */
export type RunEvent =
  /** A phase began: image build, Claude binary download, proxy start, the task itself. */
  | { type: 'phase'; phase: RunPhase; state: 'started' | 'finished' | 'skipped'; detail?: string }
  /** One line of image build output. */
  | { type: 'build-output'; line: string }
  /** Claude binary download progress; `total` is undefined when unknown. */
  | { type: 'download-progress'; bytes: number; total: number | undefined }
  /** One stream-json event from Claude Code, as parsed. */
  | { type: 'claude'; event: ClaudeEvent }
  /** One line Claude Code (or the command) wrote to stderr. */
  | { type: 'stderr'; line: string }
  /** One network sandbox log line (allowed, blocked, DNS, ...). */
  | { type: 'network'; event: NetworkLogEvent }
  /**
   * A blocked request waits at the proxy for an Allow or Deny (`hold`), or
   * stopped waiting (`hold_end`); `contextId` names the task's proxy the
   * answer goes to (the network source's `decide`).
   */
  | { type: 'hold'; event: HoldEvent | HoldEndEvent; contextId: string }
  /** A non-fatal problem worth showing (e.g. a fallback to a cached Claude version). */
  | { type: 'warning'; message: string }
  /**
   * The run ended with this result. Sent by the caller, not by `runTask`:
   * one job may be several tasks (the gateway retries in a fresh session).
   */
  | { type: 'finished'; result: ExecutionResult };

/** The phases a run goes through before and while Claude works. */
export type RunPhase = 'image' | 'claude-binary' | 'proxy' | 'task';

/** Receives run events. */
export type RunEventSink = (event: RunEvent) => void;
