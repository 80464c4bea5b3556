import type { ApprovalInEffect, BlockedEntry, HostTraffic, Receipt, ReceiptUsage } from './receipt.js';

/**
 * Reads a {@link Receipt} back from JSON (a stored receipt, `--json`
 * output). Undefined when any required field is missing or of the wrong
 * type; unknown fields are ignored, so fields can be added later.
 */
export function parseReceipt(value: unknown): Receipt | undefined {
  if (!isObject(value)) return undefined;
  const hosts = listOf(value.hosts, parseHost);
  const blocked = listOf(value.blocked, parseBlocked);
  const approvals = listOf(value.approvals, parseApproval);
  const usage = parseUsage(value.usage);
  if (hosts === undefined || blocked === undefined || approvals === undefined || usage === undefined || !isCount(value.durationMs)
    || !Array.isArray(value.credentials) || !value.credentials.every((c) => typeof c === 'string')) return undefined;
  return { hosts, blocked, credentials: value.credentials, approvals, usage, durationMs: value.durationMs };
}

function parseHost(value: unknown): HostTraffic | undefined {
  if (!isObject(value) || typeof value.host !== 'string' || !isCount(value.allowed) || !isCount(value.blocked) || !isCount(value.bytesUp) || !isCount(value.bytesDown)) return undefined;
  return { host: value.host, allowed: value.allowed, blocked: value.blocked, bytesUp: value.bytesUp, bytesDown: value.bytesDown };
}

function parseBlocked(value: unknown): BlockedEntry | undefined {
  if (!isObject(value) || typeof value.method !== 'string' || typeof value.host !== 'string' || typeof value.pathPrefix !== 'string' || !isCount(value.count)) return undefined;
  return { method: value.method, host: value.host, pathPrefix: value.pathPrefix, count: value.count };
}

function parseApproval(value: unknown): ApprovalInEffect | undefined {
  if (!isObject(value) || typeof value.method !== 'string' || typeof value.host !== 'string' || typeof value.pathPrefix !== 'string'
    || typeof value.approvedBy !== 'string' || typeof value.expiresAt !== 'string') return undefined;
  return { method: value.method, host: value.host, pathPrefix: value.pathPrefix, approvedBy: value.approvedBy, expiresAt: value.expiresAt };
}

function parseUsage(value: unknown): ReceiptUsage | undefined {
  if (!isObject(value) || !isCount(value.calls) || !isCount(value.inputTokens) || !isCount(value.outputTokens) || !isCount(value.cacheWriteTokens)
    || !isCount(value.cacheReadTokens) || !isUsd(value.costUsd) || !isUsd(value.claudeCostUsd)) return undefined;
  if (value.mismatch !== undefined && typeof value.mismatch !== 'string') return undefined;
  return {
    calls: value.calls, inputTokens: value.inputTokens, outputTokens: value.outputTokens, cacheWriteTokens: value.cacheWriteTokens,
    cacheReadTokens: value.cacheReadTokens, costUsd: value.costUsd, claudeCostUsd: value.claudeCostUsd,
    ...(typeof value.mismatch === 'string' ? { mismatch: value.mismatch } : {}),
  };
}

function listOf<T>(value: unknown, parse: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const item of value) {
    const parsed = parse(item);
    if (parsed === undefined) return undefined;
    out.push(parsed);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isUsd(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
}
