/**
 * The operator's view of a service that is partly broken, against the real
 * `airut serve`, Dovecot and the browser: a repo whose IMAP password is
 * wrong makes `/api/health` degraded (naming the repo and the server's
 * words) while the other repo works; fixing the password in the file brings
 * it up without a restart. Refused mail (an unknown sender, a DMARC failure)
 * shows on the repo's page with its reason, never its body, and is never
 * answered.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { checkScreenshot, launchBrowser } from '../harness/browser.js';
import { airutBackground, tempHome, waitForLine } from '../harness/cli.js';
import { startMailProvider, type ProviderUser } from '../harness/mail/mail-provider.js';
import { testContainersConf } from '../harness/podman.js';
import { upstreamRepo } from '../core/gateway/fakes.js';

const AUTHSERV_ID = 'mx.provider.test';
const GOOD: ProviderUser = { address: 'airut@corp.test', password: 'good-pw' };
const OTHER: ProviderUser = { address: 'other@corp.test', password: 'right-pw' };
const ALICE: ProviderUser = { address: 'alice@corp.test', password: 'alice-pw' };
const BODY = 'Delete the production database.';

interface Health {
  status: string;
  problems: { repo?: string; kind: string; channel?: string; reason: string }[];
  repos: { configured: number; running: number; failed: number };
}

interface RepoJson {
  id: string;
  state: string;
  channels: { kind: string; state: string; lastError?: string }[];
  rejected: { sender: string; reason: string; detail: string }[];
}

function forged(id: string, from: string, result: string): string {
  return [
    `Authentication-Results: ${AUTHSERV_ID}; ${result}`,
    `From: ${from}`,
    `To: ${GOOD.address}`,
    'Subject: please',
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    BODY,
    '',
  ].join('\r\n');
}

t.test('a wrong IMAP password is degraded health naming the repo; fixing the file makes it ok; refused mail is on the repo page', async (t) => {
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const provider = await startMailProvider({ authservId: AUTHSERV_ID, users: [GOOD, OTHER, ALICE] });
  t.teardown(() => provider.close());
  const repoUrl = await upstreamRepo(home);
  const email = (user: ProviderUser, password: string) => ({
    imap_server: '127.0.0.1', imap_port: provider.dovecot.port, imap_security: 'none', imap_connect_retries: 1,
    smtp_server: '127.0.0.1', smtp_port: provider.smtpPort, smtp_security: 'none',
    username: user.address, password, from: `Airut <${user.address}>`,
    authorized_senders: [ALICE.address], trusted_authserv_id: AUTHSERV_ID,
  });
  const config = (otherPassword: string): string => stringify({
    execution: { container_env: { CONTAINERS_CONF: testContainersConf() } },
    repos: {
      good: { repo_url: repoUrl, email: email(GOOD, GOOD.password) },
      other: { repo_url: repoUrl, email: email(OTHER, otherPassword) },
    },
  });
  const file = join(env.XDG_CONFIG_HOME, 'airut', 'airut.yaml');
  await mkdir(join(env.XDG_CONFIG_HOME, 'airut'), { recursive: true });
  await writeFile(file, config('wrong-pw'));

  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  t.teardown(async () => {
    child.kill('SIGKILL');
    await child;
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  const line = async (pattern: RegExp): Promise<RegExpMatchArray> => pattern.exec(printed) ?? waitForLine(child, pattern);
  const [, url] = await line(/dashboard listening url=(\S+)/) as [string, string];
  await line(/service ready/);
  const health = async (): Promise<{ code: number; body: Health }> => {
    const response = await fetch(`${url}/api/health`);
    return { code: response.status, body: await response.json() as Health };
  };

  const degraded = await health();
  t.equal(degraded.code, 200, 'degraded is still 200: something works');
  t.equal(degraded.body.status, 'degraded');
  t.match(degraded.body.problems, [{ repo: 'other', kind: 'channel_down', channel: 'email', reason: /email (backoff|starting).*(AUTHENTICATIONFAILED|[Aa]uthentication|credentials)/ }]);
  t.equal(degraded.body.problems.length, 1, 'the working repo is not named');
  const repos = (await (await fetch(`${url}/api/repos`)).json() as { repos: RepoJson[] }).repos;
  t.match(repos.find((r) => r.id === 'good'), { state: 'running', channels: [{ kind: 'email', state: /idle|connected|polling/ }] });
  t.match(repos.find((r) => r.id === 'other'), { state: 'running', channels: [{ kind: 'email', lastError: /./ }] });

  // Refused mail for the working repo: an unknown sender and a DMARC failure.
  await provider.inject(GOOD.address, forged('<mallory@corp.test>', 'mallory@corp.test', 'dmarc=pass header.from=corp.test'));
  await provider.inject(GOOD.address, forged('<forged@corp.test>', ALICE.address, 'dmarc=fail header.from=corp.test'));
  const page = await browser.newPage();
  t.teardown(() => page.close());
  const cspErrors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') cspErrors.push(message.text()); });
  await page.goto(url);
  await page.getByRole('link', { name: 'good' }).click();
  await page.locator('[data-page="repo"][data-loaded="yes"]').waitFor();
  // Arrives over the event stream (or with the first load, when the channel was quicker).
  await page.locator('[data-page="repo"][data-rejected="2"]').waitFor();
  const rows = page.locator('#repo-rejected tbody tr');
  const texts = await rows.allTextContents();
  t.ok(texts.some((row) => /mallory@corp\.test/.test(row) && /unauthorized/.test(row)), 'the unknown sender, as unauthorized');
  t.ok(texts.some((row) => /alice@corp\.test/.test(row) && /auth_failed/.test(row) && /dmarc=fail/.test(row)), 'the forged mail, as auth_failed with the DMARC result');
  t.notMatch(await page.locator('main').textContent(), /production database/, 'no body on the page');
  const goodJson = JSON.stringify(await (await fetch(`${url}/api/repos/good`)).json());
  t.notMatch(goodJson, /production database/, 'no body in the API');
  await checkScreenshot(t, 'repo-page-rejected', await page.screenshot({ fullPage: true }));
  t.equal(provider.deliveries.length, 0, 'refused mail is never answered');

  // The operator fixes the password in the file: the repo restarts with it, no service restart.
  await page.goto(`${url}/repos/other`);
  await page.locator('[data-page="repo"][data-loaded="yes"]').waitFor();
  await writeFile(file, config(OTHER.password));
  await line(/config reloaded/);
  for (let attempt = 0; attempt < 600 && (await health()).body.status !== 'ok'; attempt++) {
    await new Promise<void>((resolve) => { setTimeout(resolve, 100); });
  }
  const ok = await health();
  t.equal(ok.code, 200);
  t.match(ok.body, { status: 'ok', problems: [], repos: { configured: 2, running: 2, failed: 0 } });
  await page.locator('#repo-channels tr[data-channel="email"] td.state', { hasText: /idle|connected|polling/ }).waitFor();
  t.same(cspErrors.filter((text) => /Content Security Policy/.test(text)), [], 'no CSP violations');
  child.kill('SIGTERM');
  t.equal((await child).exitCode, 0);
});

t.test('a config that does not load at start: serve stays up, the editor fixes it in the browser, and the repo starts', async (t) => {
  const browser = await launchBrowser();
  t.teardown(() => browser.close());
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const provider = await startMailProvider({ authservId: AUTHSERV_ID, users: [GOOD, ALICE] });
  t.teardown(() => provider.close());
  const repoUrl = await upstreamRepo(home);
  const file = join(env.XDG_CONFIG_HOME, 'airut', 'airut.yaml');
  await mkdir(join(env.XDG_CONFIG_HOME, 'airut'), { recursive: true });
  // A typo'd key makes the whole file invalid.
  await writeFile(file, stringify({
    execution: { container_env: { CONTAINERS_CONF: testContainersConf() } },
    repos: {
      good: {
        repo_url: repoUrl,
        email: {
          imap_server: '127.0.0.1', imap_port: provider.dovecot.port, imap_security: 'none', imap_prot: 1,
          smtp_server: '127.0.0.1', smtp_port: provider.smtpPort, smtp_security: 'none',
          username: GOOD.address, password: GOOD.password, from: `Airut <${GOOD.address}>`,
          authorized_senders: [ALICE.address], trusted_authserv_id: AUTHSERV_ID,
        },
      },
    },
  }));
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  t.teardown(async () => {
    child.kill('SIGKILL');
    await child;
  });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  const line = async (pattern: RegExp): Promise<RegExpMatchArray> => pattern.exec(printed) ?? waitForLine(child, pattern);
  const [, url] = await line(/dashboard listening url=(\S+)/) as [string, string];
  await line(/config file watcher started/);
  t.match(printed, /config did not load.*imap_prot/);
  const before = await fetch(`${url}/api/health`);
  t.equal(before.status, 503, 'nothing configured runs: error');
  t.match(await before.json(), { status: 'error', problems: [{ kind: 'config_invalid', reason: /imap_prot/ }] });

  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(`${url}/config`);
  await page.locator('[data-page="config"][data-ready="yes"]').waitFor();
  t.match(await page.locator('#config-problems').textContent(), /imap_prot/);
  await page.getByRole('button', { name: 'Remove this key' }).click();
  await page.locator('[data-page="config"][data-checking="no"][data-problems="0"]').waitFor();
  await page.locator('#review-config').click();
  await page.locator('#config-review:not([hidden])').waitFor();
  t.match(await page.locator('#config-diff').textContent(), /-\s+imap_prot: 1/);
  await page.locator('#save-config').click();
  await page.locator('[data-page="config"][data-saved]').waitFor();

  await line(/repo started repo=good/);
  await line(/config reloaded/);
  const after = await fetch(`${url}/api/health`);
  t.equal(after.status, 200);
  t.match(await after.json(), { status: /ok|degraded/, repos: { configured: 1, running: 1, failed: 0 } });
  await page.goto(url);
  await page.locator('tr[data-repo-id="good"] .channel', { hasText: /email: (idle|polling|connected)/ }).waitFor();
  await checkScreenshot(t, 'serve-fixed-in-editor', await page.screenshot({ fullPage: true }));
  child.kill('SIGTERM');
  t.equal((await child).exitCode, 0);
});
