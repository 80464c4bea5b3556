import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { serializeConversation } from '../../../src/core/conversation/index.js';
import { ConversationHistory } from '../../../src/core/dashboard/index.js';
import { renderTaskPage } from '../../../src/core/dashboard/pages/task.js';
import { gatewaySource, TaskTracker } from '../../../src/core/gateway/index.js';
import { pastTaskId } from '../../../src/core/gateway/history-views.js';
import { appendReceipt, type Receipt } from '../../../src/core/receipt/index.js';

// The dashboard reads a run's receipt from the conversation (the run that
// answered the reply's messages) and shows it on the task page as tables.

const receipt: Receipt = {
  hosts: [{ host: 'api.anthropic.com', allowed: 4, blocked: 0, bytesUp: 2048, bytesDown: 10_000 }, { host: '<b>.test', allowed: 0, blocked: 2, bytesUp: 0, bytesDown: 0 }],
  blocked: [{ method: 'GET', host: '<b>.test', pathPrefix: '/simple/x', count: 2 }],
  credentials: ['ANTHROPIC_API_KEY'],
  approvals: [{ method: 'GET', host: 'docs.test', pathPrefix: '/a', approvedBy: 'ada@example.com', expiresAt: '2026-12-07T02:00:00.000Z' }],
  usage: { calls: 4, inputTokens: 1000, outputTokens: 200, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0.02, claudeCostUsd: 0.03, mismatch: 'cost: proxy $0.0200, Claude Code $0.0300' },
  durationMs: 65_000,
};

void t.test('taskRecord carries the receipt of the run that answered the reply', async (t) => {
  const stateDir = t.testdir({});
  const dir = join(stateDir, 'r', 'conversations', 'abcd1234');
  await mkdir(dir, { recursive: true });
  const reply = (messageId: string, timestamp: string) => ({ sessionId: 's', timestamp, durationMs: 10, totalCostUsd: 0, numTurns: 1, isError: false, usage: {}, requestText: 'x', responseText: 'y', messageIds: [messageId] });
  await writeFile(join(dir, 'conversation.json'), serializeConversation({ conversationId: 'abcd1234', replies: [reply('<m1>', '2026-12-06T01:00:00.000Z'), reply('<m2>', '2026-12-06T02:00:00.000Z')] }));
  await appendReceipt(dir, { messageIds: ['<m2>'], recordedAt: '2026-12-06T02:00:00.000Z', receipt });
  const tracker = new TaskTracker({ clock: () => new Date('2026-12-06T03:00:00Z') });
  const { source } = gatewaySource({
    version: '1', tracker, repos: () => [], config: () => ({ path: '/c', exists: false, hash: '' }),
    history: new ConversationHistory({ stateDir, repoIds: () => ['r'] }),
  });
  t.same((await source.taskRecord?.(pastTaskId('abcd1234', 1)))?.receipt, receipt);
  t.equal((await source.taskRecord?.(pastTaskId('abcd1234', 0)))?.receipt, undefined, 'a run recorded without a receipt has none');
});

void t.test('the task page shows the receipt as tables, everything escaped', (t) => {
  const task = { taskId: 'abcd123400000001', repoId: 'r', conversationId: 'abcd1234', title: 'T', sender: 'a', state: 'completed' as const, reason: 'success', queuedAt: '', startedAt: '', finishedAt: '' };
  const page = renderTaskPage('1', task, receipt);
  t.match(page, /<h2>Receipt<\/h2>/);
  t.match(page, /<tr><td><code>api\.anthropic\.com<\/code><\/td><td class="num">4<\/td><td class="num">0<\/td><td class="num" title="2048 B">2\.0 kB<\/td><td class="num" title="10000 B">10\.0 kB<\/td><\/tr>/);
  t.match(page, /<tr><td class="num">1<\/td><td><code>GET<\/code><\/td><td><code>&#60;b&#62;\.test<\/code><\/td><td><code>\/simple\/x<\/code><\/td><td class="num">2<\/td><\/tr>/);
  t.notMatch(page, /<b>\.test/, 'a host name is text, never markup');
  t.match(page, /id="receipt-duration">1m 05s</);
  t.match(page, /id="receipt-credentials">ANTHROPIC_API_KEY</);
  t.match(page, /id="receipt-approvals">GET docs\.test\/a, approved by ada@example\.com until 2026-12-07 02:00 UTC</);
  t.match(page, /id="receipt-usage">1,000 in \/ 200 out tokens \(4 calls\), \$0\.0200 \(Claude Code reported \$0\.0300\)</);
  t.match(page, /id="receipt-mismatch" class="warn">cost: proxy \$0\.0200, Claude Code \$0\.0300</);
  t.notMatch(renderTaskPage('1', task), /Receipt/, 'no receipt, no section');
  t.end();
});
