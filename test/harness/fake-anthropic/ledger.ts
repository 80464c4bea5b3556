import type { FakeAnthropicRequest } from './index.js';

/** $1,000 per million tokens of every kind: with it, a token costs $0.001. */
const TOKEN_PRICE = { input: 1000, output: 1000, cache_write: 1000, cache_read: 1000 };

/**
 * A `prices` table (by model id prefix) that prices every model Claude Code
 * may name at {@link TOKEN_PRICE}, so the fake's scripted answers cost whole
 * tenths of a cent: 10 + 20 tokens ($0.03) for a tool_use, 10 + 5 ($0.015) for text.
 */
export const THOUSANDTH_DOLLAR_TOKENS = {
  'claude': TOKEN_PRICE,
  'claude-opus-4': TOKEN_PRICE,
  'claude-sonnet-4': TOKEN_PRICE,
  'claude-haiku-4': TOKEN_PRICE,
};

/** The Messages API calls among the fake's requests (`POST /v1/messages`, not its sub-paths such as count_tokens). */
export function messagesRequests(requests: readonly FakeAnthropicRequest[]): FakeAnthropicRequest[] {
  return requests.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/messages') && !r.url.startsWith('/v1/messages/'));
}

/**
 * The fake's ledger: what it answered each Messages API request with, priced
 * at {@link THOUSANDTH_DOLLAR_TOKENS}. Its script (server.js): 10 input
 * tokens, and 20 output tokens for a tool_use (a prompt with "RUN:") or 5 for text.
 */
export function fakeLedgerUsd(requests: readonly FakeAnthropicRequest[]): number {
  let tokens = 0;
  for (const request of requests) {
    const messages = (request.body)?.messages ?? [];
    const last = messages.findLast((m) => m.role === 'user');
    const content = last?.content;
    const toolResult = Array.isArray(content) && content.some((b: { type?: string }) => b.type === 'tool_result');
    const text = typeof content === 'string' ? content : Array.isArray(content) ? content.filter((b: { type?: string }) => b.type === 'text').map((b: { text?: string }) => b.text ?? '').join('\n') : '';
    tokens += 10 + (!toolResult && /RUN: /.test(text) ? 20 : 5);
  }
  return tokens * 0.001;
}
