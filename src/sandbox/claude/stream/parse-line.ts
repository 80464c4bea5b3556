import type {
  AssistantEvent,
  ClaudeEvent,
  ContentBlock,
  JsonObject,
  ResultEvent,
  SystemEvent,
  TokenUsage,
  UnknownEvent,
  UserEvent,
} from './events.js';

/**
 * Parses one line of Claude Code's stream-json output.
 *
 * Returns undefined only for lines that are blank or not JSON (e.g. the
 * entrypoint's `update-ca-certificates` chatter); every JSON line becomes an
 * event, unknown shapes included, so callers can log all of them. Fields of the
 * wrong type read as absent rather than failing the line: a newer Claude Code
 * must never make Airut lose a reply.
 */
export function parseStreamJsonLine(line: string): ClaudeEvent | undefined {
  const raw = line.trim();
  if (raw === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: stdout noise that is not part of the event stream.
    return undefined;
  }
  if (!isObject(value)) {
    return { type: 'unknown', raw, data: { value }, sessionId: undefined, originalType: undefined };
  }
  const sessionId = stringField(value, 'session_id');
  const type = value.type;
  switch (type) {
    case 'system':
      return parseSystem(raw, value, sessionId);
    case 'assistant':
      return parseAssistant(raw, value, sessionId);
    case 'user':
      return parseUser(raw, value, sessionId);
    case 'result':
      return parseResult(raw, value, sessionId);
    default:
      return {
        type: 'unknown',
        raw,
        data: value,
        sessionId,
        originalType: typeof type === 'string' ? type : undefined,
      } satisfies UnknownEvent;
  }
}

function parseSystem(raw: string, data: JsonObject, sessionId: string | undefined): SystemEvent {
  const tools = Array.isArray(data.tools) ? data.tools.filter((t): t is string => typeof t === 'string') : [];
  return {
    type: 'system',
    raw,
    data,
    sessionId,
    subtype: stringField(data, 'subtype'),
    model: stringField(data, 'model'),
    cwd: stringField(data, 'cwd'),
    tools,
    claudeCodeVersion: stringField(data, 'claude_code_version'),
  };
}

function parseAssistant(raw: string, data: JsonObject, sessionId: string | undefined): AssistantEvent {
  const message = isObject(data.message) ? data.message : {};
  return {
    type: 'assistant',
    raw,
    data,
    sessionId,
    parentToolUseId: stringField(data, 'parent_tool_use_id'),
    content: parseContent(message.content),
    model: stringField(message, 'model'),
  };
}

function parseUser(raw: string, data: JsonObject, sessionId: string | undefined): UserEvent {
  const message = isObject(data.message) ? data.message : {};
  return {
    type: 'user',
    raw,
    data,
    sessionId,
    parentToolUseId: stringField(data, 'parent_tool_use_id'),
    content: parseContent(message.content),
  };
}

function parseResult(raw: string, data: JsonObject, sessionId: string | undefined): ResultEvent {
  const errors = Array.isArray(data.errors) ? data.errors.filter((e): e is string => typeof e === 'string') : [];
  const status = data.api_error_status;
  return {
    type: 'result',
    raw,
    data,
    sessionId,
    subtype: stringField(data, 'subtype'),
    isError: data.is_error === true,
    resultText: resultText(data.result),
    errors,
    durationMs: numberField(data, 'duration_ms'),
    numTurns: numberField(data, 'num_turns'),
    totalCostUsd: numberField(data, 'total_cost_usd'),
    usage: parseUsage(data.usage),
    apiErrorStatus: typeof status === 'number' && Number.isFinite(status) ? status : undefined,
  };
}

const USAGE_KEYS = new Set(['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens']);

function parseUsage(value: unknown): TokenUsage {
  const usage = isObject(value) ? value : {};
  const serverTools = isObject(usage.server_tool_use) ? usage.server_tool_use : {};
  const extra: JsonObject = {};
  for (const [key, v] of Object.entries(usage)) {
    if (!USAGE_KEYS.has(key)) extra[key] = v;
  }
  return {
    inputTokens: numberField(usage, 'input_tokens'),
    outputTokens: numberField(usage, 'output_tokens'),
    cacheCreationInputTokens: numberField(usage, 'cache_creation_input_tokens'),
    cacheReadInputTokens: numberField(usage, 'cache_read_input_tokens'),
    webSearchRequests: numberField(serverTools, 'web_search_requests'),
    webFetchRequests: numberField(serverTools, 'web_fetch_requests'),
    extra,
  };
}

/** `result` is a string in today's Claude Code; older ones sent `{content: [text blocks]}`. */
function resultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && Array.isArray(value.content)) {
    return value.content
      .filter((b): b is JsonObject => isObject(b) && b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text as string)
      .join('\n\n');
  }
  return '';
}

function parseContent(value: unknown): ContentBlock[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (!Array.isArray(value)) return [];
  return value.map(parseBlock);
}

function parseBlock(block: unknown): ContentBlock {
  if (!isObject(block)) return { type: 'other', blockType: undefined, data: block };
  switch (block.type) {
    case 'text':
      if (typeof block.text === 'string') return { type: 'text', text: block.text };
      break;
    case 'thinking':
      return { type: 'thinking', thinking: stringField(block, 'thinking') ?? '' };
    case 'tool_use':
      if (typeof block.name === 'string') {
        return { type: 'tool_use', id: stringField(block, 'id') ?? '', name: block.name, input: block.input };
      }
      break;
    case 'tool_result':
      return {
        type: 'tool_result',
        toolUseId: stringField(block, 'tool_use_id') ?? '',
        content: block.content,
        isError: block.is_error === true,
      };
  }
  return { type: 'other', blockType: typeof block.type === 'string' ? block.type : undefined, data: block };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringField(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

function numberField(object: JsonObject, key: string): number {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
