import t from 'tap';
import { receiptMarkdown, receiptParagraph, type Receipt } from '../../../src/core/receipt/index.js';
import { markdownToHtml } from '../../../src/core/channels/email/markdown-to-html.js';
import { markdownToMrkdwn } from '../../../src/core/channels/slack/mrkdwn.js';

// The receipt as a reply block (email text and HTML, Slack mrkdwn) and as the
// terminal's one paragraph.

const receipt: Receipt = {
  hosts: [
    { host: 'api.anthropic.com', allowed: 3, blocked: 0, bytesUp: 12_345, bytesDown: 2_500_000 },
    { host: 'pkgs.test', allowed: 0, blocked: 3, bytesUp: 0, bytesDown: 0 },
  ],
  blocked: [
    { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', count: 2 },
    { method: 'POST', host: 'pkgs.test', pathPrefix: '/upload_[x](http://evil.test)', count: 1 },
  ],
  credentials: ['ANTHROPIC_API_KEY'],
  approvals: [{ method: 'GET', host: 'docs.test', pathPrefix: '/api', approvedBy: 'Ada <ada@example.com>', expiresAt: '2026-12-07T02:00:00.000Z' }],
  usage: { calls: 3, inputTokens: 12_345, outputTokens: 678, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0.0123, claudeCostUsd: 0.0123 },
  durationMs: 134_000,
};

void t.test('the reply block lists hosts with bytes, credentials, approvals, usage, duration and the numbered blocked requests', (t) => {
  const text = receiptMarkdown(receipt, { showCost: true, approvals: true });
  t.equal(text, [
    '---',
    '',
    '**Receipt** · 2m 14s · 12,345 in / 678 out tokens (3 calls), $0.0123',
    '',
    '- `api.anthropic.com` 3 allowed, ↑ 12.3 kB ↓ 2.5 MB',
    '- `pkgs.test` 3 blocked',
    '- Credentials used: `ANTHROPIC_API_KEY`',
    '- Approved for this conversation: `GET docs.test/api` (by `Ada <ada@example.com>`, until 2026-12-07 02:00 UTC)',
    '',
    '**Blocked requests**',
    '',
    '1. `GET pkgs.test/simple/x` (2×)',
    '2. `POST pkgs.test/upload_[x](http://evil.test)` (1×)',
    '',
    "To let this conversation's next run reach some of them, reply with a line such as `allow 1` or `allow 1 2` (that method, host and path only).",
  ].join('\n'));
  t.end();
});

void t.test('without approvals the reply does not offer them; without showCost no dollar figure; a mismatch is said', (t) => {
  const text = receiptMarkdown({ ...receipt, usage: { ...receipt.usage, mismatch: 'input tokens: proxy 1, Claude Code 2' } }, { showCost: false, approvals: false });
  t.notMatch(text, /allow 1|reply with a line/);
  t.notMatch(text, /\$/);
  t.match(text, /- Usage differs from Claude Code's own count: input tokens: proxy 1, Claude Code 2/);
  t.match(text, /^1\. `GET pkgs.test\/simple\/x` \(2×\)$/m, 'the list is still numbered');
  t.end();
});

void t.test('rendered for email HTML and Slack, agent-chosen paths stay text, never links', (t) => {
  const text = receiptMarkdown(receipt, { showCost: true, approvals: true });
  const html = markdownToHtml(`The answer.\n\n${text}`);
  t.match(html, /<hr>/);
  t.match(html, /<ol><li><code>GET pkgs.test\/simple\/x<\/code> \(2×\)<\/li><li><code>POST pkgs.test\/upload_\[x\]\(http:\/\/evil.test\)<\/code> \(1×\)<\/li><\/ol>/);
  t.notMatch(html, /<a /, 'no link from the path');
  t.match(html, /<code>Ada &lt;ada@example.com&gt;<\/code>/);
  const mrkdwn = markdownToMrkdwn(`The answer.\n\n${text}`);
  t.match(mrkdwn, /^\*Receipt\* · 2m 14s/m);
  t.match(mrkdwn, /^1\. `GET pkgs.test\/simple\/x` \(2×\)$/m);
  t.notMatch(mrkdwn, /<http:\/\/evil.test/, 'no Slack link from the path');
  t.end();
});

void t.test('long lists are cut: the rest of the hosts summed, the rest of the blocked entries counted', (t) => {
  const many: Receipt = {
    ...receipt,
    hosts: Array.from({ length: 5 }, (_, i) => ({ host: `h${i}.test`, allowed: 1, blocked: 1, bytesUp: 1000, bytesDown: 2000 })),
    blocked: Array.from({ length: 4 }, (_, i) => ({ method: 'GET', host: `h${i}.test`, pathPrefix: '/', count: 1 })),
    approvals: [],
  };
  const text = receiptMarkdown(many, { showCost: true, approvals: true, maxHosts: 2, maxBlocked: 3 });
  t.match(text, /^- 3 more hosts: 6 requests, ↑ 3.0 kB ↓ 6.0 kB$/m);
  t.match(text, /^3\. `GET h2.test\/` \(1×\)$/m);
  t.notMatch(text, /^4\. /m);
  t.match(text, /…and 1 more \(numbered 4 to 4; all are on the dashboard's task page\)\./);
  t.end();
});

void t.test('a backtick in a path cannot close its code span', (t) => {
  const text = receiptMarkdown({ ...receipt, blocked: [{ method: 'GET', host: 'x.test', pathPrefix: '/a`b', count: 1 }] }, { showCost: true, approvals: false });
  t.match(text, /^1\. ``GET x.test\/a`b`` \(1×\)$/m);
  t.end();
});

void t.test('an idle run says so', (t) => {
  const text = receiptMarkdown({ ...receipt, hosts: [], blocked: [], credentials: [], approvals: [] }, { showCost: true, approvals: true });
  t.match(text, /^- No network requests$/m);
  t.notMatch(text, /Blocked requests/);
  t.end();
});

void t.test('the terminal paragraph says the same in one line', (t) => {
  t.equal(receiptParagraph(receipt, { showCost: true }),
    'Receipt: 2m 14s. 6 requests to 2 hosts (3 allowed, 3 blocked), ↑ 12.3 kB ↓ 2.5 MB: api.anthropic.com: 3 allowed, ↑ 12.3 kB ↓ 2.5 MB; pkgs.test: 3 blocked. '
    + 'credentials used: ANTHROPIC_API_KEY. approvals in effect: GET docs.test/api, approved by Ada <ada@example.com> until 2026-12-07 02:00 UTC. '
    + '12,345 in / 678 out tokens (3 calls), $0.0123. blocked: 1. GET pkgs.test/simple/x (2×), 2. POST pkgs.test/upload_[x](http://evil.test) (1×).');
  t.equal(receiptParagraph({ ...receipt, hosts: [], blocked: [], credentials: [], approvals: [], usage: { ...receipt.usage, calls: 1 } }, { showCost: false }),
    'Receipt: 2m 14s. no network requests. 12,345 in / 678 out tokens (1 call).');
  t.end();
});
