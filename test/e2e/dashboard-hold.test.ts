/**
 * Answering a held request from the dashboard, end to end: the real `airut
 * serve` with `network.approval_hold_seconds` and the dashboard on, the fake
 * Slack speaking Socket Mode to the real bolt app, podman, the real proxy,
 * and the fake claude fetching `GET https://pkgs.test/simple/x` (not on the
 * allowlist) from a fake upstream. The hold is asked in the Slack thread and
 * on the running task's page; Allow and Deny are pressed in headless
 * Chromium, and the Slack prompt is rewritten to say the dashboard answered.
 */
import type { Locator, Page } from 'playwright-core';
import t from 'tap';
import { startDashboard, type HoldAnswerResult } from '../../src/core/dashboard/index.js';
import type { RunEvent } from '../../src/core/run/index.js';
import { checkScreenshot, crossOriginPosts, launchBrowser } from '../harness/browser.js';
import type { FakeSlackCall } from '../harness/fake-slack/index.js';
import { pkgsUpstream } from '../harness/pkgs-upstream.js';
import { dmEvent } from '../core/channels/slack/slack-fixture.js';
import { MemorySource } from '../core/dashboard/memory-source.js';
import { inThread, startSlackWorld, text } from './slack-world.js';

/** Long enough for Chromium under load to open the page and press; no case here waits for it to end. */
const HOLD_SECONDS = 30;

const browser = await launchBrowser();
t.teardown(() => browser.close());

/** A waiting hold as `GET /api/tasks/<id>/holds` lists it. */
interface HoldView { holdId: string; method: string; host: string; path: string; expiresAt: string }

t.test('a held request is answered on the running task\'s dashboard page: Allow lets it through, Deny gives the 403 at once, a cross-site POST changes nothing', { timeout: 900_000 }, async (t) => {
  const pkgs = await pkgsUpstream(t);
  const world = await startSlackWorld(t, {
    egress: pkgs.egress,
    repoNetwork: { approval_hold_seconds: HOLD_SECONDS },
    dashboard: true,
  });
  const { fake } = world;
  const url = /dashboard listening url=(\S+)/.exec(await world.line(/dashboard listening url=/))?.[1] ?? '';
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the dashboard listens on loopback');
  const reached = (): number => pkgs.reached().filter((r) => r === 'GET /simple/x').length;

  const page = await browser.newPage();
  t.teardown(() => page.close());
  const consoleErrors: string[] = [];
  // The dashboard has no favicon; Chromium logs the 404 of its own request for one as a console error.
  page.on('console', (message) => { if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => { consoleErrors.push(`uncaught: ${error.message}`); });
  const failed: string[] = [];
  page.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`); });

  /** Sends a DM asking to fetch the blocked URL; resolves with its Slack hold prompt (posted once the request is held). */
  const ask = async (thread: string): Promise<{ ts: string }> => {
    await fake.sendEvent(dmEvent('Install x\nfake-claude: fetch GET:https://pkgs.test/simple/x', thread, thread));
    const prompt = await fake.waitForCall('chat.postMessage', (c) => inThread('D1', thread)(c) && c.args['blocks'] !== undefined && /pkgs\.test/.test(text(c)));
    t.match(text(prompt), /GET https:\/\/pkgs\.test\/simple\/x is not on the allowlist/, 'the Slack thread is asked too');
    return { ts: String(prompt.response?.['ts']) };
  };
  const answerOf = (thread: string): Promise<FakeSlackCall> => fake.waitForCall('chat.postMessage', (c) => inThread('D1', thread)(c) && /Fetched:/.test(text(c)));
  const updateOf = (ts: string): Promise<FakeSlackCall> => fake.waitForCall('chat.update', (c) => c.args['ts'] === ts && !/airut_hold/.test(JSON.stringify(c.args['blocks'] ?? '')));
  const holdsOf = async (taskId: string): Promise<HoldView[]> => ((await (await fetch(`${url}/api/tasks/${taskId}/holds`)).json()) as { holds: HoldView[] }).holds;

  /**
   * As a user: the overview, the running task of the thread's conversation,
   * its page with the hold listed. Resolves with the task id and the hold's item.
   */
  const openHeldTask = async (p: Page, thread: string): Promise<{ taskId: string; item: Locator }> => {
    const conversationId = await world.conversationOf('D1', thread) ?? '';
    t.match(conversationId, /^[0-9a-f]{8}$/, 'the thread has a conversation');
    await p.goto(url);
    const row = p.locator('tr.task.running', { has: p.locator(`td.conversation a[href="/conversations/${conversationId}"]`) });
    await row.waitFor();
    const taskId = await row.getAttribute('data-task-id') ?? '';
    t.match(taskId, /^[0-9a-f]{12}$/, 'the overview lists the running task');
    await row.locator('a').first().click();
    await p.locator(`[data-page="task"][data-task-id="${taskId}"][data-live="open"]`).waitFor({ state: 'attached' });
    const item = p.locator('#holds li.hold');
    await item.waitFor();
    t.equal(await item.count(), 1, 'one hold is listed');
    t.equal(await item.locator('code.request').textContent(), 'GET pkgs.test/simple/x', 'the hold names method, host and path');
    const left = Number(/(\d+) s left/.exec(await item.locator('.left').textContent() ?? '')?.[1]);
    t.ok(left > 0 && left <= HOLD_SECONDS, `it shows the seconds left (${left} of ${HOLD_SECONDS})`);
    t.equal(await item.locator('button').count(), 2, 'with Allow and Deny');
    return { taskId, item };
  };

  /** Presses `button` and waits for the answer's POST; resolves with its status and when it was pressed. */
  const press = async (p: Page, button: Locator, taskId: string): Promise<{ status: number; body: unknown; at: number }> => {
    const answered = p.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/api/tasks/${taskId}/holds/`));
    const at = Date.now();
    await button.click();
    const response = await answered;
    return { status: response.status(), body: await response.json() as unknown, at };
  };

  // Allow: the held request completes, once.
  const allowThread = '1800000000.000100';
  const allowPrompt = await ask(allowThread);
  const allowTask = await openHeldTask(page, allowThread);
  t.equal(reached(), 0, 'nothing reached pkgs.test while the request was held');
  await checkScreenshot(t, 'dashboard-hold-waiting', await page.screenshot({ fullPage: true }));
  const allowed = await press(page, allowTask.item.locator('button.allow'), allowTask.taskId);
  t.equal(allowed.status, 200, 'the page\'s answer was taken');
  t.match(allowed.body, { result: 'decided', allow: true });
  await page.locator('#holds li.hold').waitFor({ state: 'detached' });
  t.equal(await page.locator('#holds').isHidden(), true, 'the answered hold is gone from the page');
  t.match(text(await answerOf(allowThread)), /GET https:\/\/pkgs\.test\/simple\/x=200/, 'the held request completed with the upstream\'s 200');
  t.equal(reached(), 1, 'the upstream got the request once');
  t.match(text(await updateOf(allowPrompt.ts)), /GET https:\/\/pkgs\.test\/simple\/x was allowed by the Airut dashboard for the rest of this run/, 'the Slack prompt says the dashboard allowed it');
  t.same(await holdsOf(allowTask.taskId), [], 'the task has no hold waiting');

  // A cross-site POST to the waiting hold of the next task is refused and answers nothing.
  const denyThread = '1800000000.000200';
  const denyPrompt = await ask(denyThread);
  const askedAt = Date.now();
  const denyTask = await openHeldTask(page, denyThread);
  const [waiting] = await holdsOf(denyTask.taskId);
  t.match(waiting, { method: 'GET', host: 'pkgs.test', path: '/simple/x' }, 'the API lists the same hold');
  const target = `${url}/api/tasks/${denyTask.taskId}/holds/${encodeURIComponent(waiting?.holdId ?? '')}`;
  const outcomes = await crossOriginPosts(t, browser, target);
  t.match(outcomes.withHeader, /^refused/, 'a page on another origin cannot send the custom header');
  const forged = await fetch(target, { method: 'POST', headers: { 'X-Airut-Request': '1', Origin: 'http://evil.example', 'Content-Type': 'application/json' }, body: JSON.stringify({ allow: true }) });
  t.equal(forged.status, 403, 'a POST with a foreign Origin is refused');
  t.match(await forged.json(), { error: 'csrf' });
  t.same(await holdsOf(denyTask.taskId), [waiting], `the hold still waits after the cross-site POSTs (no-cors: ${outcomes.simple})`);
  t.equal(reached(), 1, 'the refused allow let nothing through');
  t.equal(fake.calls.filter((c) => c.method === 'chat.update' && c.args['ts'] === denyPrompt.ts).length, 0, 'the Slack prompt still asks');
  t.equal(await page.locator('#holds li.hold').count(), 1, 'the page still lists the hold');

  // Deny: the 403 at once, nothing reaches the upstream.
  const denied = await press(page, denyTask.item.locator('button.deny'), denyTask.taskId);
  t.equal(denied.status, 200, 'the page\'s answer was taken');
  t.match(denied.body, { result: 'decided', allow: false });
  const answer = await answerOf(denyThread);
  const answeredAt = Date.now();
  t.match(text(answer), /GET https:\/\/pkgs\.test\/simple\/x=403/, 'a denied request gets the 403');
  const before = Date.parse(waiting?.expiresAt ?? '') - answeredAt;
  t.ok(before > HOLD_SECONDS * 1000 / 3, `the answer came ${answeredAt - denied.at} ms after Deny (${answeredAt - askedAt} ms after the prompt), ${before} ms before the hold would have ended`);
  t.equal(reached(), 1, 'the denied request did not reach the upstream');
  t.match(text(await updateOf(denyPrompt.ts)), /GET https:\/\/pkgs\.test\/simple\/x was denied by the Airut dashboard\./, 'the Slack prompt says the dashboard denied it');
  await page.locator('#holds li.hold').waitFor({ state: 'detached' });
  t.equal(await page.locator('#holds').isHidden(), true, 'the denied hold is gone from the page');
  t.same(consoleErrors, [], 'no console errors on the page');
  t.same(failed, [], 'every request the page made succeeded');
});

t.test('a hold pressed on the page stays answered (buttons off, outcome said) while its seconds count down, until its end arrives', async (t) => {
  // The dashboard alone, so the hold's end can come as late as it may from a busy proxy.
  const source = new MemorySource();
  source.add('abc123abc123', { state: 'running', conversationId: 'c0ffee00' });
  const waiting = new Map<string, HoldView>([['h1', { holdId: 'h1', method: 'GET', host: 'pkgs.test', path: '/simple/x', expiresAt: new Date(Date.now() + 60_000).toISOString() }]]);
  const answers: string[] = [];
  Object.assign(source, {
    holds: (): HoldView[] => [...waiting.values()],
    answerHold: (_taskId: string, holdId: string, allow: boolean): HoldAnswerResult => {
      answers.push(`${holdId}=${allow}`);
      // As the hold router does: an answered hold no longer waits; its end comes later, from the proxy.
      return waiting.delete(holdId) ? 'decided' : 'unknown';
    },
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(`${dashboard.url}/tasks/abc123abc123`);
  await page.locator('[data-page="task"][data-live="open"]').waitFor({ state: 'attached' });
  const item = page.locator('#holds li.hold[data-hold-id="h1"]');
  await item.waitFor();

  await item.locator('button.allow').click();
  await item.locator('.hold-result', { hasText: 'Allowed.' }).waitFor();
  t.same(answers, ['h1=true'], 'the press answered the hold once');
  const left = await item.locator('.left').textContent() ?? '';
  // The countdown ticks once a second: once it has, the page has been redrawn at least once since the press.
  await item.locator('.left', { hasNotText: left }).waitFor();
  t.ok(await item.locator('button.allow').isDisabled() && await item.locator('button.deny').isDisabled(), 'Allow and Deny stay off after a tick');
  t.equal(await item.locator('.hold-result').textContent(), ' Allowed.', 'the outcome is still said after a tick');

  source.emit({ type: 'run', taskId: 'abc123abc123', conversationId: 'c0ffee00', event: { type: 'hold', event: { event: 'hold_end', id: 'h1', outcome: 'allowed' }, contextId: 'x' } as RunEvent });
  await item.waitFor({ state: 'detached' });
  t.equal(await page.locator('#holds').isHidden(), true, 'the hold leaves the page when it ends');
});
