import { formatBytes, formatCost, formatDuration } from '../ui/format-units.js';
import type { ApprovalInEffect, BlockedEntry, HostTraffic, Receipt, ReceiptUsage } from './receipt.js';

/**
 * The short phrases every rendering of a receipt shares (the reply block,
 * the CLI paragraph, the dashboard table), so they all say the same thing.
 */

/** `api.anthropic.com: 12 allowed, 1 blocked, ↑ 1.2 kB ↓ 34.0 kB`. */
export function describeHost(host: HostTraffic): string {
  const counts = [host.allowed > 0 ? `${host.allowed} allowed` : '', host.blocked > 0 ? `${host.blocked} blocked` : ''].filter((s) => s !== '').join(', ');
  const bytes = host.bytesUp + host.bytesDown > 0 ? `, ${describeBytes(host)}` : '';
  return `${host.host}: ${counts}${bytes}`;
}

/** `↑ 1.2 kB ↓ 34.0 kB`: body bytes sent upstream and received. */
export function describeBytes(traffic: { bytesUp: number; bytesDown: number }): string {
  return `↑ ${formatBytes(traffic.bytesUp)} ↓ ${formatBytes(traffic.bytesDown)}`;
}

/** `GET pkgs.test/simple/x (2×)`: what `allow N` refers to. */
export function describeBlocked(entry: BlockedEntry): string {
  return `${entry.method} ${entry.host}${entry.pathPrefix.startsWith('/') ? '' : ' '}${entry.pathPrefix} (${entry.count}×)`;
}

/** `GET pkgs.test/simple/x, approved by ada@example.com until 2026-12-07 03:00 UTC`. */
export function describeApproval(approval: ApprovalInEffect): string {
  const until = Number.isNaN(Date.parse(approval.expiresAt)) ? approval.expiresAt : `${new Date(approval.expiresAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `${approval.method} ${approval.host}${approval.pathPrefix}, approved by ${approval.approvedBy} until ${until}`;
}

/**
 * `12,345 in / 678 out tokens (3 calls), $0.0123`; the cost only when
 * `showCost` (a subscription's runs have no meaningful dollar figure) and
 * known (every model priced).
 */
export function describeUsage(usage: ReceiptUsage, showCost: boolean): string {
  const calls = `${usage.calls} ${usage.calls === 1 ? 'call' : 'calls'}`;
  const cache = usage.cacheReadTokens + usage.cacheWriteTokens > 0
    ? `, cache ${usage.cacheReadTokens.toLocaleString('en-US')} read / ${usage.cacheWriteTokens.toLocaleString('en-US')} written`
    : '';
  const tokens = `${usage.inputTokens.toLocaleString('en-US')} in / ${usage.outputTokens.toLocaleString('en-US')} out tokens${cache} (${calls})`;
  if (!showCost) return tokens;
  return usage.costUsd === null ? `${tokens}, cost unknown (a model without a price)` : `${tokens}, ${formatCost(usage.costUsd)}`;
}

/** `2m 05s`. */
export function describeDuration(receipt: Receipt): string {
  return formatDuration(receipt.durationMs);
}

/** Totals over every host: requests allowed and blocked, bytes each way. */
export function receiptTotals(receipt: Receipt): { allowed: number; blocked: number; bytesUp: number; bytesDown: number } {
  const totals = { allowed: 0, blocked: 0, bytesUp: 0, bytesDown: 0 };
  for (const host of receipt.hosts) {
    totals.allowed += host.allowed;
    totals.blocked += host.blocked;
    totals.bytesUp += host.bytesUp;
    totals.bytesDown += host.bytesDown;
  }
  return totals;
}
