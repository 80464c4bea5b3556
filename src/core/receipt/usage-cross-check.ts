import type { ExecutionResult } from '../../sandbox/index.js';
import type { ReceiptUsage } from './receipt.js';

/** The proxy's count, as the cross-check reads it. */
export type CountedUsage = Pick<ReceiptUsage, 'calls' | 'inputTokens' | 'outputTokens' | 'cacheWriteTokens' | 'cacheReadTokens' | 'costUsd'>;

/** What Claude Code said about the same run. */
export interface ClaudeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

/**
 * Costs closer than half a cent agree: the proxy and Claude Code price the
 * same tokens from their own tables and round differently on the way.
 */
export const COST_TOLERANCE_USD = 0.005;

/** The outcome of comparing the two counts. */
export interface UsageCheck {
  /** Claude Code's `total_cost_usd`; null when it reported no result. */
  claudeCostUsd: number | null;
  /** What differs, naming both figures; undefined when they agree or Claude reported nothing to compare. */
  mismatch: string | undefined;
}

/**
 * Compares the tokens and cost the proxy counted from the Messages API
 * responses it forwarded with what Claude Code reported in its last result
 * event. Tokens must agree exactly; cost within {@link COST_TOLERANCE_USD}
 * (and only when the proxy could price every response).
 */
export function crossCheckUsage(counted: CountedUsage, result: ExecutionResult | undefined): UsageCheck {
  const claude = result === undefined ? undefined : claudeUsageOf(result);
  if (claude === undefined) return { claudeCostUsd: null, mismatch: undefined };
  if (counted.calls === 0) {
    const reported = claude.inputTokens + claude.outputTokens + claude.cacheWriteTokens + claude.cacheReadTokens > 0 || claude.costUsd > 0;
    return {
      claudeCostUsd: claude.costUsd,
      mismatch: reported
        ? `the proxy counted no Messages API responses, while Claude Code reported ${formatInt(claude.inputTokens)} input and ${formatInt(claude.outputTokens)} output tokens, ${formatUsd(claude.costUsd)}`
        : undefined,
    };
  }
  const differences: string[] = [];
  const tokens: [string, number, number][] = [
    ['input tokens', counted.inputTokens, claude.inputTokens],
    ['output tokens', counted.outputTokens, claude.outputTokens],
    ['cache write tokens', counted.cacheWriteTokens, claude.cacheWriteTokens],
    ['cache read tokens', counted.cacheReadTokens, claude.cacheReadTokens],
  ];
  for (const [name, proxy, reported] of tokens) {
    if (proxy !== reported) differences.push(`${name}: proxy ${formatInt(proxy)}, Claude Code ${formatInt(reported)}`);
  }
  if (counted.costUsd !== null && Math.abs(counted.costUsd - claude.costUsd) >= COST_TOLERANCE_USD) {
    differences.push(`cost: proxy ${formatUsd(counted.costUsd)}, Claude Code ${formatUsd(claude.costUsd)}`);
  }
  return { claudeCostUsd: claude.costUsd, mismatch: differences.length === 0 ? undefined : differences.join('; ') };
}

/**
 * Claude Code's own figures for the run, from its last result event:
 * `modelUsage` summed over every model when present (it includes the small
 * side calls Claude Code makes with another model, which the proxy sees
 * too), else the result's `usage`. Undefined when there was no result.
 */
export function claudeUsageOf(result: ExecutionResult): ClaudeUsage | undefined {
  const last = result.events.findLast((e) => e.type === 'result');
  if (last === undefined) return undefined;
  const byModel = last.data.modelUsage;
  if (typeof byModel === 'object' && byModel !== null && !Array.isArray(byModel) && Object.keys(byModel).length > 0) {
    const sum: ClaudeUsage = { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: result.costUsd };
    for (const entry of Object.values(byModel as Record<string, unknown>)) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      const model = entry as Record<string, unknown>;
      sum.inputTokens += count(model.inputTokens);
      sum.outputTokens += count(model.outputTokens);
      sum.cacheWriteTokens += count(model.cacheCreationInputTokens);
      sum.cacheReadTokens += count(model.cacheReadInputTokens);
    }
    return sum;
  }
  const { usage } = result;
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cacheWriteTokens: usage.cacheCreationInputTokens,
    cacheReadTokens: usage.cacheReadInputTokens,
    costUsd: result.costUsd,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function formatInt(value: number): string {
  return value.toLocaleString('en-US');
}

function formatUsd(value: number): string {
  return `$${value.toFixed(4)}`;
}
