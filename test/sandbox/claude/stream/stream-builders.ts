import { parseStreamJsonLine, type ClaudeEvent } from '../../../../src/sandbox/claude/stream/index.js';

/**
 * Synthetic stream-json lines in Claude Code's shape, for outcome and result
 * tests that need streams the real samples do not cover.
 */
export const line = {
  init: (sessionId: string): string => JSON.stringify({ type: 'system', subtype: 'init', session_id: sessionId, model: 'claude-opus-5-5', tools: ['Bash'] }),
  text: (text: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text }] }, parent_tool_use_id: null, session_id: 's', ...extra }),
  toolUse: (name: string, input: unknown = {}): string =>
    JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: `toolu_${name}`, name, input }] }, session_id: 's' }),
  toolResult: (content: string): string =>
    JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content, is_error: false }] }, session_id: 's' }),
  result: (fields: Record<string, unknown> = {}): string =>
    JSON.stringify({ type: 'result', subtype: 'success', is_error: false, session_id: 's', duration_ms: 100, num_turns: 1, total_cost_usd: 0.01, result: 'ok', ...fields }),
};

/** Parses lines the way the task runner does; non-JSON lines are dropped. */
export function events(...lines: string[]): ClaudeEvent[] {
  return lines.flatMap((l) => parseStreamJsonLine(l) ?? []);
}
