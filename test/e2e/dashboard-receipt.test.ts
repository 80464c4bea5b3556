import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { serializeConversation } from '../../src/core/conversation/index.js';
import { pastTaskId } from '../../src/core/gateway/history-views.js';
import { appendReceipt, type Receipt } from '../../src/core/receipt/index.js';
import { launchBrowser } from '../harness/browser.js';
import { historyDashboard } from './history-dashboard.js';

// In Chromium: a recorded task's page shows its receipt as tables (hosts with
// bytes, blocked requests numbered as the reply numbered them), next to the
// transcript and network log the page's script loads from the record.

const browser = await launchBrowser();
t.teardown(() => browser.close());

const receipt: Receipt = {
  hosts: [
    { host: 'api.anthropic.com', allowed: 3, blocked: 0, bytesUp: 4096, bytesDown: 65_000 },
    { host: 'pkgs.test', allowed: 0, blocked: 3, bytesUp: 0, bytesDown: 0 },
  ],
  blocked: [
    { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', count: 2 },
    { method: 'POST', host: 'pkgs.test', pathPrefix: '/upload', count: 1 },
  ],
  credentials: ['ANTHROPIC_API_KEY'],
  approvals: [],
  usage: { calls: 3, inputTokens: 1500, outputTokens: 300, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0.0123, claudeCostUsd: 0.0123 },
  durationMs: 42_000,
};

void t.test('the task page of a recorded run shows its receipt', async (t) => {
  const stateDir = t.testdir({});
  const dir = join(stateDir, 'r', 'conversations', 'abcd1234');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'conversation.json'), serializeConversation({
    conversationId: 'abcd1234',
    replies: [{ sessionId: 's', timestamp: '2026-12-06T02:00:00.000Z', durationMs: 42_000, totalCostUsd: 0.0123, numTurns: 1, isError: false, usage: { input_tokens: 1500, output_tokens: 300 }, requestText: '[Ada 2026-12-06 01:59:18 UTC]\nInstall x', responseText: 'Could not reach pkgs.test.', messageIds: ['<m1@x>'] }],
  }));
  await writeFile(join(dir, 'network-sandbox.log'), '=== TASK START 2026-12-06T01:59:18.000Z ===\nBLOCKED GET https://pkgs.test/simple/x -> 403\n');
  await appendReceipt(dir, { messageIds: ['<m1@x>'], recordedAt: '2026-12-06T02:00:00.000Z', receipt });
  const { url, page, errors } = await historyDashboard(t, browser, stateDir, ['r']);
  const missing: string[] = [];
  page.on('response', (response) => { if (response.status() >= 400) missing.push(`${response.status()} ${new URL(response.url()).pathname}`); });

  await page.goto(`${url}/tasks/${pastTaskId('abcd1234', 0)}`);
  await page.locator('[data-page="task"][data-loaded="record"]').waitFor({ state: 'attached' });
  t.equal(await page.locator('#reply-text').textContent(), 'Could not reach pkgs.test.', 'the page script loaded the record');
  t.match(await page.locator('#network').textContent(), /BLOCKED GET https:\/\/pkgs\.test\/simple\/x/);

  const cells = async (selector: string): Promise<string[][]> => (await page.locator(selector).allInnerTexts()).map((row) => row.split('\t').map((cell) => cell.trim()));
  const hostRows = await cells('#receipt-hosts tbody tr');
  t.same(hostRows, [['api.anthropic.com', '3', '0', '4.1 kB', '65.0 kB'], ['pkgs.test', '0', '3', '0 B', '0 B']]);
  const blockedRows = await cells('#receipt-blocked tbody tr');
  t.same(blockedRows, [['1', 'GET', 'pkgs.test', '/simple/x', '2'], ['2', 'POST', 'pkgs.test', '/upload', '1']]);
  t.equal(await page.locator('#receipt-usage').textContent(), '1,500 in / 300 out tokens (3 calls), $0.0123 (Claude Code reported $0.0123)');
  t.equal(await page.locator('#receipt-credentials').textContent(), 'ANTHROPIC_API_KEY');
  t.equal(await page.locator('#receipt-duration').textContent(), '42.0s');
  t.ok(await page.locator('#receipt-hosts').isVisible(), 'the table is shown');
  t.same(missing.filter((m) => m !== '404 /favicon.ico'), [], 'every resource the page asked for was there');
  // Chromium also logs the favicon's 404 as a console error; the responses are checked above.
  t.same(errors.filter((e) => !/status of 404/.test(e)), [], 'no script or CSP error');
});
