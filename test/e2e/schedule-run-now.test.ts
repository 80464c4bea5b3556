import t from 'tap';
import { launchBrowser } from '../harness/browser.js';
import { ALICE, startGatewayWorld } from './gateway-world.js';

const browser = await launchBrowser();
t.teardown(() => browser.close());

t.test('Run now in Chromium on the repo page of the real airut serve: one scheduled run, its mail delivered, the outcome listed', async (t) => {
  const world = await startGatewayWorld(t, {
    scenario: 'success',
    dashboard: true,
    // Far from any fire time in any zone: only the button starts it.
    schedules: { yearly: { cron: '0 0 1 1 *', timezone: 'UTC', subject: 'On request', prompt: 'Summarise open issues.', deliver: { to: ALICE.address } } },
  });
  const [, url] = await world.line(/dashboard listening url=(\S+)/) as [string, string];
  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(`${url}/repos/e2e`);
  const row = page.locator('#repo-schedules tr.schedule', { hasText: 'yearly' });
  await row.waitFor();
  t.match(await row.textContent(), /0 0 1 1 \* in UTC; next \d{4}-01-01 00:00 UTC/);
  await row.getByRole('button', { name: 'Run now' }).click();
  await world.line(/scheduled run finished.*outcome=delivered/);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  t.equal(mails.length, 1);
  t.match(mails[0]?.parsed.subject, /^\[ID:[0-9a-f]{8}\] On request$/);
  t.match(world.output(), /schedule fired.*schedule=yearly.*manual=true/);
  await page.locator('#repo-schedules tr.schedule', { hasText: 'delivered' }).waitFor({ timeout: 30_000 });
  t.pass('the page shows the delivered outcome');
});
