import { join } from 'node:path';
import { signalChild } from '../harness/signal-child.js';
import t from 'tap';
import { checkScreenshot, crossOriginPosts, launchBrowser } from '../harness/browser.js';
import { testRuntime } from '../harness/podman.js';
import { ALICE, GATEWAY, startGatewayWorld } from './gateway-world.js';

const browser = await launchBrowser();
t.teardown(() => browser.close());

/** Resolves once `check` holds, checking again after each short pause (a container's removal has no event to wait on). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

t.test('Stop on a long task from the dashboard of a real airut serve; history after a restart', async (t) => {
  const runtime = testRuntime();
  const world = await startGatewayWorld(t, { scenario: 'wait', dashboard: true });
  const url = (await world.line(/dashboard listening url=(\S+)/))[1] ?? '';

  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'Long job', text: 'Take your time.' });
  const [ack] = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 180_000);
  const conversationId = /\[ID:([0-9a-f]{8})\]/.exec(ack?.parsed.subject ?? '')?.[1] ?? '';
  t.match(conversationId, /^[0-9a-f]{8}$/);
  await world.line(/task started/);

  const page = await browser.newPage();
  t.teardown(() => page.close());
  const consoleErrors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  await page.goto(url);
  const row = page.locator('tr.task.running');
  await row.waitFor();
  const taskId = await row.getAttribute('data-task-id') ?? '';
  t.match(taskId, /^[0-9a-f]{12}$/);
  t.equal(await row.locator('td.conversation a').getAttribute('href'), `/conversations/${conversationId}`);

  // The container of this task: the one with the conversation's workspace mounted at /workspace.
  const workspace = join(world.stateDir, 'conversations', conversationId, 'workspace');
  let containerId = '';
  await until(async () => {
    const ids = (await runtime.call(['ps', '-q'])).stdout.split('\n').filter(Boolean);
    for (const id of ids) {
      const mounts = (await runtime.call(['inspect', '--format', '{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}', id])).stdout;
      if (mounts.includes(`${workspace}:/workspace`)) containerId = id;
    }
    return containerId !== '';
  }, 'the task container runs');

  // CSRF against the real service: a page on another origin tries to stop the task.
  const outcomes = await crossOriginPosts(t, browser, `${url}/api/tasks/${taskId}/stop`);
  t.match(outcomes.withHeader, /^refused/, 'the custom header needs a preflight the dashboard never grants');
  const afterAttack = await (await fetch(`${url}/api/tasks/${taskId}`)).json() as { state: string };
  t.equal(afterAttack.state, 'running', `the cross-origin POSTs (${outcomes.simple}) stopped nothing`);
  t.equal((await runtime.call(['container', 'exists', containerId])).exitCode, 0, 'the container still runs');

  await row.locator('a').first().click();
  await page.locator('[data-page="task"][data-live="open"]').waitFor({ state: 'attached' });
  t.equal(await page.locator('#conversation-link').getAttribute('href'), `/conversations/${conversationId}`);
  await checkScreenshot(t, 'dashboard-stop-running', await page.screenshot({ fullPage: true }));

  await page.locator('#stop-task').click();
  await page.locator('#stop-result', { hasText: 'Stopping' }).waitFor();
  await page.locator('#task-state', { hasText: 'failed (stopped)' }).waitFor({ timeout: 60_000 });
  t.equal(await page.locator('#stop-task').isDisabled(), true);
  await page.locator('#reply-text', { hasText: 'stopped from the Airut dashboard' }).waitFor();
  t.equal(await page.locator('#stop-result').textContent(), 'Stopped.');
  await page.locator('#task-outcome', { hasText: 'stopped' }).waitFor();
  t.match(await page.locator('#task-finished').textContent(), /^\d{4}-\d\d-\d\dT/, 'the finish time is filled in live');
  await until(async () => (await runtime.call(['container', 'exists', containerId])).exitCode !== 0, 'the task container is gone');
  t.pass('the task container is gone');
  await checkScreenshot(t, 'dashboard-stop-stopped', await page.screenshot({ fullPage: true }));

  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  t.equal(mails[1]?.parsed.subject, `Re: [ID:${conversationId}] Long job`, 'the stopped reply is in the thread');
  t.match(mails[1]?.parsed.text, /stopped from the Airut dashboard before it finished/);
  t.match(mails[1]?.parsed.text, /work done so far has been kept/);
  t.match(mails[1]?.parsed.text, /Reply to continue/);
  await until(async () => (await world.provider.list(GATEWAY.address)).length === 0, 'the handled mail left the inbox');

  await page.locator('#conversation-link').click();
  await page.locator('[data-page="conversation"]').waitFor();
  t.equal(await page.locator(`#conversation-tasks tr[data-task-id="${taskId}"]`).count(), 1, 'the conversation page lists the task');
  t.match(await page.locator('ol.replies li.reply').first().textContent(), /stopped from the Airut dashboard/);
  await checkScreenshot(t, 'dashboard-conversation', await page.screenshot({ fullPage: true }));

  // Restart: the finished task is read back from disk.
  signalChild(world.child, 'SIGTERM');
  t.equal((await world.child).exitCode, 0);
  await world.restart('wait');
  const restartedUrl = (await world.line(/dashboard listening url=(\S+)/))[1] ?? '';
  await page.goto(restartedUrl);
  const pastRow = page.locator(`tr[data-task-id="${conversationId}00000000"]`);
  await pastRow.waitFor();
  t.match(await pastRow.textContent(), /failed \(stopped\).*Long job.*alice@corp\.test/);
  await checkScreenshot(t, 'dashboard-history', await page.screenshot({ fullPage: true }));
  await pastRow.locator('a').first().click();
  await page.locator('[data-page="task"][data-loaded="record"]').waitFor({ state: 'attached' });
  t.match(await page.locator('#reply-text').textContent(), /stopped from the Airut dashboard/);
  t.equal(await page.locator('#task-state').textContent(), 'failed (stopped)');
  t.equal(await page.locator('#task-outcome').textContent(), 'stopped', 'the recorded run says the same as the live one');
  t.equal(await page.locator('#stop-task').isDisabled(), true);
  await page.locator('#conversation-link').click();
  await page.locator('[data-page="conversation"]').waitFor();
  t.equal(await page.locator(`#conversation-tasks tr[data-task-id="${conversationId}00000000"]`).count(), 1, 'the conversation page lists it after the restart');
  t.same(consoleErrors.filter((text) => /Content Security Policy/.test(text)), [], 'no CSP violations');
});
