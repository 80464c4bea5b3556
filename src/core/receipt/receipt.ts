/**
 * What one run reached and spent, as shown under its reply, on the dashboard's
 * task page and in `airut sandbox exec --json`. Built from the run's events
 * (the proxy's access and usage records, Claude Code's result) by the receipt
 * collector; stored with the task so a later message can refer to it.
 */
export interface Receipt {
  /** Every host the run asked for, in order of first request. */
  hosts: HostTraffic[];
  /**
   * The distinct blocked requests, in order of first occurrence. Replies number
   * them from 1 in this order, and `allow N` in the user's next message refers
   * to the N-th entry of the receipt of the conversation's last run.
   */
  blocked: BlockedEntry[];
  /** Names (never values) of the masked secrets and credentials the proxy filled in. */
  credentials: string[];
  /** Conversation-scoped approvals the run's allowlist carried. */
  approvals: ApprovalInEffect[];
  /** Tokens and cost counted by the proxy from Messages API responses. */
  usage: ReceiptUsage;
  /** Wall-clock duration of the run, ms. */
  durationMs: number;
}

/** One host's traffic in a run. */
export interface HostTraffic {
  host: string;
  allowed: number;
  blocked: number;
  /** Body bytes sent upstream. */
  bytesUp: number;
  /** Body bytes received from upstream. */
  bytesDown: number;
}

/**
 * A distinct blocked request: its method, host and path prefix (the request
 * path without its query string), and how many times it was asked for.
 */
export interface BlockedEntry {
  method: string;
  host: string;
  pathPrefix: string;
  count: number;
}

/** One approval in effect: the exact (method, host, path prefix) it lets through. */
export interface ApprovalInEffect {
  method: string;
  host: string;
  pathPrefix: string;
  /** Who approved it (the authenticated sender). */
  approvedBy: string;
  /** ISO 8601; the approval ends then, or with the conversation. */
  expiresAt: string;
}

/** Usage of the Messages API as the proxy counted it, cross-checked with Claude Code's own result. */
export interface ReceiptUsage {
  /** Messages API responses counted. */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  /** USD from the price table; null when some model had no price. */
  costUsd: number | null;
  /** `total_cost_usd` Claude Code reported for the run; null when it reported none. */
  claudeCostUsd: number | null;
  /** Set when the proxy's count and Claude Code's own differ: what differs. */
  mismatch?: string;
}
