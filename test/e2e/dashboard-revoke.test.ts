import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readApprovals, writeApprovals } from '../../src/core/approvals/index.js';
import { ConversationStore } from '../../src/core/conversation/index.js';
import { checkScreenshot, launchBrowser } from '../harness/browser.js';
import { historyDashboard } from './history-dashboard.js';

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
  const { url, page, errors } = await historyDashboard(t, browser, stateDir, ['alpha']);

  await page.goto(`${url}/conversation/${conversationId}`);
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
