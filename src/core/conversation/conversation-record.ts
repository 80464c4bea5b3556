/** One answered run of a conversation, as kept in `conversation.json`. */
export interface ReplyRecord {
  /** Claude's session after this run; `''` when it reported none. */
  sessionId: string;
  /** When the reply was recorded (ISO 8601, UTC). */
  timestamp: string;
  durationMs: number;
  totalCostUsd: number;
  numTurns: number;
  /** True for every reply that was not a successful answer (timeouts, failures, interruptions). */
  isError: boolean;
  /** Token counts as Claude reported them. */
  usage: Record<string, number>;
  /** The whole prompt of the run. */
  requestText: string;
  /** What the user was sent. */
  responseText: string;
  /** Channel message ids this run answered, in arrival order. */
  messageIds: string[];
}

/** The host-only metadata of a conversation (`conversation.json`). */
export interface ConversationRecord {
  conversationId: string;
  /** Model chosen when the conversation started; later runs keep it. */
  model?: string;
  /** Effort chosen when the conversation started. */
  effort?: string;
  replies: ReplyRecord[];
  /** Prompt of the run in progress; set before a run, cleared when its reply is recorded. */
  pendingRequestText?: string;
}

interface ReplyJson {
  session_id: string;
  timestamp: string;
  duration_ms: number;
  total_cost_usd: number;
  num_turns: number;
  is_error: boolean;
  usage: Record<string, number>;
  request_text: string;
  response_text: string;
  message_ids: string[];
}

interface RecordJson {
  conversation_id: string;
  model?: string;
  effort?: string;
  replies: ReplyJson[];
  pending_request_text?: string;
}

/** The pretty-printed file content of `record` (snake_case keys, the layout the dashboard reads). */
export function serializeConversation(record: ConversationRecord): string {
  const json: RecordJson = {
    conversation_id: record.conversationId,
    ...(record.model ? { model: record.model } : {}),
    ...(record.effort ? { effort: record.effort } : {}),
    replies: record.replies.map((r) => ({
      session_id: r.sessionId,
      timestamp: r.timestamp,
      duration_ms: r.durationMs,
      total_cost_usd: r.totalCostUsd,
      num_turns: r.numTurns,
      is_error: r.isError,
      usage: r.usage,
      request_text: r.requestText,
      response_text: r.responseText,
      message_ids: r.messageIds,
    })),
    ...(record.pendingRequestText === undefined ? {} : { pending_request_text: record.pendingRequestText }),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Reads a `conversation.json` text. Returns undefined for anything that is not
 * a conversation record: a damaged file must not take the gateway down, the
 * conversation then simply continues without its history.
 */
export function parseConversation(text: string): ConversationRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Unparseable JSON is the damaged-file case described above.
    return undefined;
  }
  if (!isObject(value) || typeof value.conversation_id !== 'string' || !Array.isArray(value.replies)) return undefined;
  const replies: ReplyRecord[] = [];
  for (const item of value.replies) {
    if (!isObject(item)) return undefined;
    replies.push({
      sessionId: str(item.session_id),
      timestamp: str(item.timestamp),
      durationMs: num(item.duration_ms),
      totalCostUsd: num(item.total_cost_usd),
      numTurns: num(item.num_turns),
      isError: item.is_error === true,
      usage: numbers(item.usage),
      requestText: str(item.request_text),
      responseText: str(item.response_text),
      messageIds: Array.isArray(item.message_ids) ? item.message_ids.filter((m): m is string => typeof m === 'string') : [],
    });
  }
  return {
    conversationId: value.conversation_id,
    ...(typeof value.model === 'string' && value.model !== '' ? { model: value.model } : {}),
    ...(typeof value.effort === 'string' && value.effort !== '' ? { effort: value.effort } : {}),
    replies,
    ...(typeof value.pending_request_text === 'string' ? { pendingRequestText: value.pending_request_text } : {}),
  };
}

/**
 * The session to resume: the most recent non-empty session id of any reply,
 * failed ones included (a timed-out run still leaves a usable session).
 */
export function resumeSessionId(record: ConversationRecord): string | undefined {
  return record.replies.findLast((r) => r.sessionId !== '')?.sessionId;
}

/** The text of the last successful reply, for the recovery prompt. */
export function lastSuccessfulResponse(record: ConversationRecord): string | undefined {
  return record.replies.findLast((r) => !r.isError)?.responseText;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'number') out[key] = v;
  return out;
}
