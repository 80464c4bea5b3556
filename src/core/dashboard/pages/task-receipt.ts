import type { Receipt } from '../../receipt/index.js';
import { describeApproval, describeBytes, describeUsage, receiptTotals } from '../../receipt/index.js';
import { formatBytes, formatDuration } from '../../ui/format-units.js';
import { html, type SafeHtml } from '../html.js';

/**
 * The task page's receipt: what the run reached and spent, as a table per
 * host, the blocked requests numbered as the reply numbered them (what
 * `allow N` refers to), credentials, approvals, usage and duration. The
 * same data as the reply's block and `sandbox exec --json`. Nothing when
 * the task has no receipt (still running, or recorded before receipts).
 */
export function renderReceiptSection(receipt: Receipt | undefined): SafeHtml {
  if (receipt === undefined) return html``;
  const totals = receiptTotals(receipt);
  const hostRows = receipt.hosts.map((h) => html`<tr><td><code>${h.host}</code></td><td class="num">${h.allowed}</td><td class="num">${h.blocked}</td><td class="num" title="${h.bytesUp} B">${formatBytes(h.bytesUp)}</td><td class="num" title="${h.bytesDown} B">${formatBytes(h.bytesDown)}</td></tr>`);
  const blockedRows = receipt.blocked.map((b, i) => html`<tr><td class="num">${i + 1}</td><td><code>${b.method}</code></td><td><code>${b.host}</code></td><td><code>${b.pathPrefix}</code></td><td class="num">${b.count}</td></tr>`);
  return html`<h2>Receipt</h2>
<section id="receipt" class="receipt">
<dl class="facts">
<dt>Duration</dt><dd id="receipt-duration">${formatDuration(receipt.durationMs)}</dd>
<dt>Requests</dt><dd id="receipt-requests">${totals.allowed} allowed, ${totals.blocked} blocked, ${describeBytes(totals)}</dd>
<dt>Credentials used</dt><dd id="receipt-credentials">${receipt.credentials.length === 0 ? 'none' : receipt.credentials.join(', ')}</dd>
<dt>Approvals in effect</dt><dd id="receipt-approvals">${receipt.approvals.length === 0 ? 'none' : receipt.approvals.map(describeApproval).join('; ')}</dd>
<dt>Usage</dt><dd id="receipt-usage">${describeUsage(receipt.usage, true)}${receipt.usage.claudeCostUsd === null ? '' : html` (Claude Code reported $${receipt.usage.claudeCostUsd.toFixed(4)})`}</dd>
${receipt.usage.mismatch === undefined ? '' : html`<dt>Mismatch</dt><dd id="receipt-mismatch" class="warn">${receipt.usage.mismatch}</dd>`}
</dl>
<table id="receipt-hosts" class="receipt-hosts"><thead><tr><th>Host</th><th>Allowed</th><th>Blocked</th><th>Bytes up</th><th>Bytes down</th></tr></thead>
<tbody>${hostRows}</tbody></table>
${receipt.blocked.length === 0 ? '' : html`<h3>Blocked requests</h3>
<table id="receipt-blocked" class="receipt-blocked"><thead><tr><th>#</th><th>Method</th><th>Host</th><th>Path</th><th>Times</th></tr></thead>
<tbody>${blockedRows}</tbody></table>`}
</section>`;
}
