import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readApprovals, writeApprovals } from '../../src/core/approvals/index.js';
import { ConversationStore } from '../../src/core/conversation/index.js';
import { ConversationHistory, startDashboard } from '../../src/core/dashboard/index.js';
import { gatewaySource, TaskTracker } from '../../src/core/gateway/index.js';
import { checkScreenshot, launchBrowser } from '../harness/browser.js';

// In Chromium: the conversation page lists the approvals in effect, and its
// Revoke button ends one in the conversation's approvals.json at once; the
// page says so and a reload no longer lists it.

const browser = await launchBrowser();
t.teardown(() => browser.close());

const approval = (pathPrefix: string) => ({ method: 'GET', host: 'pkgs.test', pathPrefix, approvedBy: 'Ada <ada@example.com>', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });

void t.test('Revoke on the conversation page ends that approval', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'airut-revoke-page-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const store = new ConversationStore(join(stateDir, 'alpha'));
  const { conversationId } = await store.create({ model: 'opus' });
  const dir = store.layout(conversationId).dir;
  await writeApprovals(dir, { lastBlocked: [], approvals: [approval('/simple/x'), approval('/simple/"y"<z>')] });
  const { source } = gatewaySource({
    version: '1', tracker: new TaskTracker({}), repos: () => [], config: () => ({ path: '/c', exists: false, hash: '' }),
    history: new ConversationHistory({ stateDir, repoIds: () => ['alpha'] }),
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));

  await page.goto(`${dashboard.url}/conversation/${conversationId}`);
  const rows = page.locator('#approvals tbody tr');
  t.equal(await rows.count(), 2, 'both approvals are listed');
  const odd = rows.filter({ hasText: '/simple/"y"<z>' });
  t.equal(await odd.count(), 1, 'a path with quotes and brackets is shown as it is');
  await odd.getByRole('button', { name: 'Revoke' }).click();
  await odd.locator('.revoke-result', { hasText: 'Revoked.' }).waitFor();
  t.ok(await odd.getByRole('button', { name: 'Revoke' }).isDisabled(), 'its button is off');
  t.same((await readApprovals(dir)).approvals.map((a) => a.pathPrefix), ['/simple/x'], 'exactly that approval ended, its odd path sent intact');
  await checkScreenshot(t, 'dashboard-revoke', await page.screenshot({ fullPage: true }));

  await page.reload();
  t.same(await page.locator('#approvals tbody tr code').allInnerTexts(), ['GET pkgs.test/simple/x'], 'a reload no longer lists it');
  t.same(errors.filter((e) => !/status of 404/.test(e)), [], 'no script or CSP error');
});
