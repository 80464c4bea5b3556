/**
 * The receipt of a run: what it reached through the network sandbox (hosts,
 * bytes, blocked requests), which credentials the proxy filled in, the
 * approvals in effect, the tokens and cost the proxy counted (cross-checked
 * with Claude Code's own figures) and how long it took. Built from the run's
 * events, shown under replies, on the dashboard and by `sandbox exec`, and
 * kept with the conversation.
 */
export type { Receipt, HostTraffic, BlockedEntry, ApprovalInEffect, ReceiptUsage } from './receipt.js';
export { ReceiptCollector, collectReceipt, pathWithoutQuery, type ReceiptFacts, type ReceiptCollectorOptions } from './receipt-collector.js';
export { crossCheckUsage, claudeUsageOf, COST_TOLERANCE_USD, type ClaudeUsage, type CountedUsage, type UsageCheck } from './usage-cross-check.js';
export { receiptMarkdown, type ReceiptMarkdownOptions } from './receipt-markdown.js';
export { receiptParagraph } from './receipt-paragraph.js';
export { describeApproval, describeBlocked, describeBytes, describeHost, describeUsage, receiptTotals } from './receipt-text.js';
export { parseReceipt } from './parse-receipt.js';
export { appendReceipt, lastReceipt, readReceipts, receiptForMessages, receiptsFile, RECEIPTS_FILE, type StoredReceipt } from './receipt-store.js';
