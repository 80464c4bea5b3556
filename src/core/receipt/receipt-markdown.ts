import type { Receipt } from './receipt.js';
import { describeBytes, describeDuration, describeUsage } from './receipt-text.js';

/** How a reply's receipt block is written. */
export interface ReceiptMarkdownOptions {
  /** Show the dollar cost (off for subscriptions, where it would mislead). */
  showCost: boolean;
  /** The repo lets users approve blocked requests from the thread (`network.approvals` not `off`): say how. */
  approvals: boolean;
  /** Hosts listed at most; the rest are summed in one line. Default 12. */
  maxHosts?: number;
  /** Blocked entries listed at most; the rest are counted. Default 20. */
  maxBlocked?: number;
}

/**
 * The receipt as a compact Markdown block for the end of a reply. It uses
 * only what every channel renders (a rule, bold, bullet and numbered lists,
 * code spans), so the email's text and HTML parts and Slack's mrkdwn all
 * read well. Hosts, paths and names came from the sandbox, which the agent
 * controls: they are shown in code spans, never as Markdown, so a crafted
 * path cannot add a link or formatting to the reply.
 *
 * Blocked requests are numbered from 1 in the receipt's order; that number
 * is what `allow N` in the user's next message refers to.
 */
export function receiptMarkdown(receipt: Receipt, options: ReceiptMarkdownOptions): string {
  const maxHosts = options.maxHosts ?? 12;
  const maxBlocked = options.maxBlocked ?? 20;
  const lines: string[] = ['---', '', `**Receipt** · ${describeDuration(receipt)} · ${describeUsage(receipt.usage, options.showCost)}`, ''];
  const hosts = receipt.hosts.slice(0, maxHosts);
  for (const host of hosts) {
    const counts = [host.allowed > 0 ? `${host.allowed} allowed` : '', host.blocked > 0 ? `${host.blocked} blocked` : ''].filter((s) => s !== '').join(', ');
    const bytes = host.bytesUp + host.bytesDown > 0 ? `, ${describeBytes(host)}` : '';
    lines.push(`- ${code(host.host)} ${counts}${bytes}`);
  }
  const rest = receipt.hosts.slice(maxHosts);
  if (rest.length > 0) {
    const sum = rest.reduce((a, h) => ({ requests: a.requests + h.allowed + h.blocked, bytesUp: a.bytesUp + h.bytesUp, bytesDown: a.bytesDown + h.bytesDown }), { requests: 0, bytesUp: 0, bytesDown: 0 });
    lines.push(`- ${rest.length} more hosts: ${sum.requests} requests, ${describeBytes(sum)}`);
  }
  if (receipt.hosts.length === 0) lines.push('- No network requests');
  if (receipt.credentials.length > 0) lines.push(`- Credentials used: ${receipt.credentials.map(code).join(', ')}`);
  for (const approval of receipt.approvals) {
    lines.push(`- Approved for this conversation: ${code(`${approval.method} ${approval.host}${approval.pathPrefix}`)} (by ${code(approval.approvedBy)}, until ${untilText(approval.expiresAt)})`);
  }
  if (receipt.usage.mismatch !== undefined) lines.push(`- Usage differs from Claude Code's own count: ${receipt.usage.mismatch}`);
  if (receipt.blocked.length > 0) {
    lines.push('', '**Blocked requests**', '');
    receipt.blocked.slice(0, maxBlocked).forEach((entry, index) => {
      lines.push(`${index + 1}. ${code(`${entry.method} ${entry.host}${entry.pathPrefix}`)} (${entry.count}×)`);
    });
    const more = receipt.blocked.length - maxBlocked;
    if (more > 0) lines.push('', `…and ${more} more (numbered ${maxBlocked + 1} to ${receipt.blocked.length}; all are on the dashboard's task page).`);
    if (options.approvals) {
      const examples = receipt.blocked.length === 1 ? '`allow 1`' : '`allow 1` or `allow 1 2`';
      lines.push('', `To let this conversation's next run reach some of them, reply with a line such as ${examples} (that method, host and path only).`);
    }
  }
  return lines.join('\n');
}

/** A code span that holds any text: backticks cannot close it early, line breaks cannot end the list item. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function untilText(iso: string): string {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
