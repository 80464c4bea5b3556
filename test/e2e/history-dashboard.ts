import type { Browser, Page } from 'playwright-core';
import type { Test } from 'tap';
import { ConversationHistory, startDashboard } from '../../src/core/dashboard/index.js';
import { gatewaySource, TaskTracker } from '../../src/core/gateway/index.js';

/** A page of the dashboard and the console errors it logged (script, CSP), for a test to check. */
export interface WatchedPage {
  url: string;
  page: Page;
  errors: string[];
}

/**
 * The dashboard of a service with no repo running, reading the conversations
 * stored under `stateDir` for repos `repoIds` (the gateway's own source and
 * history), and a Chromium page on it that collects console errors. Both are
 * closed at teardown.
 */
export async function historyDashboard(t: Test, browser: Browser, stateDir: string, repoIds: string[]): Promise<WatchedPage> {
  const { source } = gatewaySource({
    version: '1', tracker: new TaskTracker({}), repos: () => [], config: () => ({ path: '/c', exists: false, hash: '' }),
    history: new ConversationHistory({ stateDir, repoIds: () => repoIds }),
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(error.message));
  return { url: dashboard.url, page, errors };
}
