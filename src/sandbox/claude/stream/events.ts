/**
 * Typed view of the events Claude Code prints with `--output-format stream-json`.
 *
 * Every event keeps the line it came from (`raw`) and the whole parsed object
 * (`data`), so nothing Claude said is lost when a newer Claude Code adds fields
 * or event types this code does not know yet.
 */

/** A JSON object as parsed from one stream-json line. */
export type JsonObject = Record<string, unknown>;

/** Assistant prose. */
export interface TextBlock {
  type: 'text';
  text: string;
}

/** Extended-thinking prose (may be empty when Claude Code redacts it). */
export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
}

/** Claude asking to run a tool. */
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** The answer to a tool call, sent back to Claude in a `user` event. */
export interface ToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  /** A string, or an array of content blocks, exactly as Claude Code sent it. */
  content: unknown;
  isError: boolean;
}

/** Any content block of a type not modelled above (e.g. `redacted_thinking`, `image`). */
export interface OtherBlock {
  type: 'other';
  /** The block's own `type` field, when it had a string one. */
  blockType: string | undefined;
  data: unknown;
}

/** One entry of `message.content[]`. */
export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock | OtherBlock;

/** Token counts of a `result` event (`usage`). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  /** `usage.server_tool_use.web_search_requests`: searches the API ran server-side. */
  webSearchRequests: number;
  /** `usage.server_tool_use.web_fetch_requests`: fetches the API ran server-side. */
  webFetchRequests: number;
  /** Every other key of `usage`, kept as sent (service tier, cache breakdown, ...). */
  extra: JsonObject;
}

/** Fields every event carries. */
interface EventBase {
  /** The line as received, without its line terminator. */
  raw: string;
  /** The parsed line. Non-object JSON values are wrapped as `{ value }`. */
  data: JsonObject;
  /** `session_id`, when the event has one. */
  sessionId: string | undefined;
}

/** `{"type":"system"}`: `init` at start-up, and other status notices. */
export interface SystemEvent extends EventBase {
  type: 'system';
  /** `init`, or whatever else Claude Code reports (`api_retry`, `compact_boundary`, ...). */
  subtype: string | undefined;
  /** The model Claude Code runs with (present on `init`). */
  model: string | undefined;
  /** Working directory inside the container (present on `init`). */
  cwd: string | undefined;
  /** Tool names Claude may call (present on `init`). */
  tools: string[];
  /** `claude_code_version` (present on `init`). */
  claudeCodeVersion: string | undefined;
}

/** `{"type":"assistant"}`: one message (or message part) from the model. */
export interface AssistantEvent extends EventBase {
  type: 'assistant';
  /** Set when a subagent produced the message: the id of the Task tool call that runs it. */
  parentToolUseId: string | undefined;
  content: ContentBlock[];
  model: string | undefined;
}

/** `{"type":"user"}`: tool results (or a replayed prompt) sent to the model. */
export interface UserEvent extends EventBase {
  type: 'user';
  parentToolUseId: string | undefined;
  /** A plain-string message becomes a single text block. */
  content: ContentBlock[];
}

/** `{"type":"result"}`: the end of one turn sequence, with its cost and usage. */
export interface ResultEvent extends EventBase {
  type: 'result';
  /** `success`, `error_max_turns`, `error_during_execution`, ... */
  subtype: string | undefined;
  isError: boolean;
  /** The final text: `result` as a string, or its text blocks joined by a blank line. */
  resultText: string;
  /** Error strings some error subtypes carry in `errors[]`. */
  errors: string[];
  durationMs: number;
  numTurns: number;
  totalCostUsd: number;
  usage: TokenUsage;
  /** HTTP status of the API error that ended the run (`api_error_status`), if any. */
  apiErrorStatus: number | undefined;
}

/** A JSON line that is not one of the types above; kept so no line is ever dropped. */
export interface UnknownEvent extends EventBase {
  type: 'unknown';
  /** The line's `type` field when it was a string, else undefined (no type, or not an object). */
  originalType: string | undefined;
}

/** One parsed stream-json line. Discriminate on `type`. */
export type ClaudeEvent = SystemEvent | AssistantEvent | UserEvent | ResultEvent | UnknownEvent;
