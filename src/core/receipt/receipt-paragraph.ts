import type { Receipt } from './receipt.js';
import { describeApproval, describeBlocked, describeBytes, describeDuration, describeHost, describeUsage, receiptTotals } from './receipt-text.js';

/**
 * The receipt as one plain-text paragraph (no trailing newline), for the end
 * of a terminal run: duration, requests and bytes in total and per host,
 * credentials, approvals, tokens and cost, and the blocked requests numbered
 * as a reply would number them.
 */
export function receiptParagraph(receipt: Receipt, options: { showCost: boolean }): string {
  const totals = receiptTotals(receipt);
  const requests = totals.allowed + totals.blocked;
  const parts: string[] = [`Receipt: ${describeDuration(receipt)}`];
  parts.push(requests === 0
    ? 'no network requests'
    : `${requests} ${requests === 1 ? 'request' : 'requests'} to ${receipt.hosts.length} ${receipt.hosts.length === 1 ? 'host' : 'hosts'} (${totals.allowed} allowed, ${totals.blocked} blocked), ${describeBytes(totals)}: ${receipt.hosts.map(describeHost).join('; ')}`);
  if (receipt.credentials.length > 0) parts.push(`credentials used: ${receipt.credentials.join(', ')}`);
  if (receipt.approvals.length > 0) parts.push(`approvals in effect: ${receipt.approvals.map(describeApproval).join('; ')}`);
  parts.push(describeUsage(receipt.usage, options.showCost));
  if (receipt.usage.mismatch !== undefined) parts.push(`differs from Claude Code's own count: ${receipt.usage.mismatch}`);
  if (receipt.blocked.length > 0) parts.push(`blocked: ${receipt.blocked.map((entry, index) => `${index + 1}. ${describeBlocked(entry)}`).join(', ')}`);
  return `${parts.join('. ')}.`;
}
