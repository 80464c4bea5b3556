import type { ExecutionResult } from '../../sandbox/index.js';
import type { ReplyRecord } from '../conversation/index.js';

/** The conversation.json entry of one answer: what was asked, what came back, and the run's figures. */
export function buildReplyRecord(prompt: string, responseText: string, messageIds: readonly string[], result: ExecutionResult | undefined, now: Date): ReplyRecord {
  return {
    sessionId: result?.sessionId ?? '',
    timestamp: now.toISOString(),
    durationMs: result?.durationMs ?? 0,
    totalCostUsd: result?.costUsd ?? 0,
    numTurns: result?.numTurns ?? 0,
    isError: result === undefined || result.outcome !== 'success',
    usage: result === undefined ? {} : usageRecord(result),
    requestText: prompt,
    responseText,
    messageIds: [...messageIds],
  };
}

/** Token counts of a run as conversation.json keeps them (Claude's own key names). */
export function usageRecord(result: ExecutionResult): Record<string, number> {
  const { usage } = result;
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: usage.cacheCreationInputTokens,
    cache_read_input_tokens: usage.cacheReadInputTokens,
    ...Object.fromEntries(Object.entries(usage.extra).filter((e): e is [string, number] => typeof e[1] === 'number')),
  };
}
