import t from 'tap';
import type { RunEvent } from '../../src/core/run/index.js';
import { startDashboard } from '../../src/core/dashboard/index.js';
import { checkScreenshot, crossOriginPosts, launchBrowser } from '../harness/browser.js';
import { airutBackground, tempHome, waitForLine } from '../harness/cli.js';
import { MemorySource } from '../core/dashboard/memory-source.js';

const browser = await launchBrowser();
t.teardown(() => browser.close());

t.test('real airut serve without config: the empty state with the Configure call to action', async (t) => {
  const { env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  t.teardown(() => { child.kill('SIGKILL'); });
  const [, url] = await waitForLine(child, /dashboard listening url=(\S+)/) as [string, string];
  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(url);
  t.equal(await page.locator('h1').first().textContent(), 'No repositories configured');
  t.equal(await page.getByRole('link', { name: 'Configure' }).getAttribute('href'), '/config');
  await checkScreenshot(t, 'dashboard-empty', await page.screenshot({ fullPage: true }));
});

t.test('live overview, transcript, network log, stop and CSRF in the browser', async (t) => {
  const source = new MemorySource();
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const cspErrors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') cspErrors.push(message.text()); });

  await page.goto(dashboard.url);
  // The page marks itself once its event stream is open; a task added after that must appear without reload.
  await page.locator('[data-page="overview"][data-live="open"]').waitFor({ state: 'attached' });
  source.add('a1b2c3d4e5f6', { title: 'Fix the flaky test', state: 'queued' });
  const row = page.locator('tr[data-task-id="a1b2c3d4e5f6"]');
  await row.waitFor();
  source.update('a1b2c3d4e5f6', { state: 'running', conversationId: 'c0ffee00' });
  await page.locator('tr[data-task-id="a1b2c3d4e5f6"] td.state', { hasText: 'running' }).waitFor();
  t.equal(await page.locator('#count-running').textContent(), '1', 'counts update live');
  await checkScreenshot(t, 'dashboard-overview', await page.screenshot({ fullPage: true }));

  // Partial events, as much of each as the page reads.
  const run = (event: unknown): void => source.emit({ type: 'run', taskId: 'a1b2c3d4e5f6', conversationId: 'c0ffee00', event: event as RunEvent });
  run({ type: 'claude', event: { type: 'assistant', content: [{ type: 'text', text: 'Looking at <script>alert(1)</script> the test' }] } });
  run({ type: 'claude', event: { type: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'TodoWrite', input: { todos: [{ content: 'Reproduce', status: 'completed' }, { content: 'Fix', status: 'in_progress' }] } }] } });
  // The gateway reads the plan from TodoWrite (tested with the gateway's source); the page shows the plan events.
  source.emit({ type: 'plan', taskId: 'a1b2c3d4e5f6', plan: [{ content: 'Reproduce', status: 'completed' }, { content: 'Fix', activeForm: 'Fixing the test', status: 'in_progress' }, { content: 'Run the suite', status: 'pending' }] });
  run({ type: 'network', event: { event: 'log', kind: 'ALLOWED', level: 'info', line: 'allowed GET https://api.github.com/repos -> 200', time: '2026-01-01T00:00:00.000Z' } });
  run({ type: 'network', event: { event: 'log', kind: 'BLOCKED', level: 'warn', line: 'BLOCKED GET https://evil.example/x -> 403', time: '2026-01-01T00:00:01.000Z' } });

  t.equal(await row.getByRole('link', { name: 'c0ffee00' }).getAttribute('href'), '/conversations/c0ffee00', 'a live row links its conversation');
  await row.getByRole('link', { name: 'a1b2c3d4e5f6' }).click();
  await page.locator('#transcript li.assistant', { hasText: 'Looking at <script>alert(1)</script> the test' }).waitFor();
  t.equal(await page.locator('#transcript script').count(), 0, 'event text is shown as text, never markup');
  await page.locator('#todos li.in_progress', { hasText: 'Fixing the test' }).waitFor();
  t.same(await page.locator('#todos li').allTextContents(), ['☑ Reproduce', '▶ Fixing the test', '☐ Run the suite'], 'the plan, the item in progress in its -ing form');
  source.emit({ type: 'plan', taskId: 'a1b2c3d4e5f6', plan: [{ content: 'Reproduce', status: 'completed' }, { content: 'Fix', activeForm: 'Fixing the test', status: 'completed' }, { content: 'Run the suite', activeForm: 'Running the suite', status: 'in_progress' }] });
  await page.locator('#todos li.in_progress', { hasText: 'Running the suite' }).waitFor();
  t.equal(await page.locator('#todos li.completed').count(), 2, 'a new plan replaces the old one live');
  t.equal(await page.locator('#todos li').count(), 3);
  run({ type: 'claude', event: { type: 'user', content: [{ type: 'tool_result', toolUseId: 't1', content: 'ok', isError: false }] } });
  await page.locator('#transcript li.tool-result', { hasText: 'ok' }).waitFor();
  t.equal(await page.locator('#network li.blocked').count(), 1, 'the block is highlighted');
  t.match(await page.locator('#network li.blocked .hint').textContent(), /allowlist/);
  await page.locator('#blocked-only').check();
  t.equal(await page.locator('#network li.allowed').isVisible(), false, 'filter to blocked hides allowed lines');
  t.equal(await page.locator('#network li.blocked').isVisible(), true);
  await checkScreenshot(t, 'dashboard-task-running', await page.screenshot({ fullPage: true }));

  // CSRF: a page on another origin (a plain server without our CSP) tries both ways to POST stop.
  const outcomes = await crossOriginPosts(t, browser, `${dashboard.url}/api/tasks/a1b2c3d4e5f6/stop`);
  t.match(outcomes.simple, /^(opaque|TypeError: Failed to fetch)$/, 'a simple cross-origin POST gets no readable answer (Cross-Origin-Resource-Policy blocks even the opaque one)');
  t.match(outcomes.withHeader, /^refused/, 'the custom header needs a preflight the dashboard never grants');
  t.same(source.stopped, [], 'the cross-origin POSTs stopped nothing');

  await page.locator('#stop-task').click();
  await page.locator('#stop-result', { hasText: 'Stopping' }).waitFor();
  t.same(source.stopped, ['a1b2c3d4e5f6']);
  await page.locator('#task-state', { hasText: 'interrupted' }).waitFor();
  t.equal(await page.locator('#stop-task').isDisabled(), true);
  run({ type: 'finished', result: { outcome: 'success', durationMs: 12345, numTurns: 3, costUsd: 0.0123, usage: { inputTokens: 100, outputTokens: 20 } } });
  await page.locator('#task-turns', { hasText: '3' }).waitFor();
  t.equal(await page.locator('#task-duration').textContent(), '12.3 s');
  t.equal(await page.locator('#task-cost').textContent(), '$0.0123');
  await checkScreenshot(t, 'dashboard-task-finished', await page.screenshot({ fullPage: true }));
  t.same(cspErrors.filter((text) => /Content Security Policy/.test(text)), [], 'no CSP violations');
});
