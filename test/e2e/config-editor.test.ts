import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startDashboard } from '../../src/core/dashboard/index.js';
import { checkScreenshot, launchBrowser } from '../harness/browser.js';
import { airutBackground, tempHome, waitForLine } from '../harness/cli.js';
import { startMailProvider } from '../harness/mail/mail-provider.js';
import { TEST_BASE_IMAGE, testContainersConf } from '../harness/podman.js';
import { upstreamRepo } from '../core/gateway/fakes.js';
import { MemorySource } from '../core/dashboard/memory-source.js';
import { configFile } from '../core/config/edit/sample.js';

const browser = await launchBrowser();
t.teardown(() => browser.close());

interface Status {
  generation: number;
  fileHash?: string;
  lastReloadError?: string;
}

/** `airut serve` in the background with its output collected; killed at teardown. */
function serve(t: Test, env: Record<string, string>) {
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  t.teardown(async () => {
    child.kill('SIGKILL');
    await child;
  });
  const line = async (pattern: RegExp): Promise<RegExpMatchArray> => pattern.exec(printed) ?? waitForLine(child, pattern);
  return { line, output: () => printed };
}

async function status(url: string): Promise<Status> {
  return ((await (await fetch(`${url}/api/status`)).json()) as { config: Status }).config;
}

t.test('no config: Configure leads to the editor, which writes the first config', async (t) => {
  const { env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const service = serve(t, env);
  const [, url] = await service.line(/dashboard listening url=(\S+)/) as [string, string];
  await service.line(/config file watcher started/);
  const before = await status(url);

  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(url);
  await page.getByRole('link', { name: 'Configure' }).click();
  await page.locator('[data-page="config"][data-ready="yes"]').waitFor();
  t.equal(new URL(page.url()).pathname, '/config');
  const file = join(env.XDG_CONFIG_HOME, 'airut', 'airut.yaml');
  t.match(await page.locator('#no-config').textContent(), new RegExp(`No configuration file yet.*${file.replace(/[.]/g, '\\.')}`, 's'));
  await checkScreenshot(t, 'config-editor-first', await page.screenshot({ fullPage: true }));

  await page.locator('[data-key-path="execution.max_concurrent"] input').fill('1');
  await page.locator('[data-page="config"][data-checking="no"][data-problems="0"]').waitFor();
  await page.locator('#review-config').click();
  await page.locator('#config-review:not([hidden])').waitFor();
  t.match(await page.locator('#config-diff').textContent(), /@@ -0,0 \+1,2 @@\n\+execution:\n\+ {2}max_concurrent: 1\n/);
  await page.locator('#save-config').click();
  await page.locator('[data-page="config"][data-saved]').waitFor();
  t.equal(await readFile(file, 'utf8'), 'execution:\n  max_concurrent: 1\n');
  t.equal((await stat(file)).mode & 0o777, 0o600, 'the first config is private to its owner');
  t.equal(await page.locator('#no-config').isHidden(), true, 'the no-config note goes once the file exists');
  await service.line(/config reloaded/);
  t.equal((await status(url)).generation, before.generation + 1, 'serve picked the new file up');

  // Someone edits the file by hand while the form is open: the editor warns, the save is refused, Reload shows their change.
  const byHand = 'execution:\n  max_concurrent: 3 # by hand\n';
  await writeFile(file, byHand);
  const maxConcurrent = page.locator('[data-key-path="execution.max_concurrent"] input');
  await maxConcurrent.fill('2');
  await page.locator('#config-banner.warning', { hasText: 'changed on disk' }).waitFor();
  await page.locator('#review-config').click();
  await page.locator('#save-config:enabled').click();
  await page.locator('#config-banner.error', { hasText: 'nothing was saved' }).waitFor();
  t.match(await page.locator('#config-banner').textContent(), /Reload the editor/);
  t.equal(await readFile(file, 'utf8'), byHand, 'the hand edit is not overwritten');
  await checkScreenshot(t, 'config-editor-stale', await page.screenshot({ fullPage: true }));
  await page.locator('#reload-config').click();
  // Polled from here: page.waitForFunction evaluates its predicate with eval in the page, which the dashboard's CSP refuses once it polls.
  for (let tries = 0; tries < 200 && (await maxConcurrent.inputValue()) !== '3'; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(await maxConcurrent.inputValue(), '3', 'the reloaded form shows the file as it is now');
  t.equal(await page.locator('#config-banner').isHidden(), true);
});

t.test('add a repo with an email channel in a config with comments and !env: field error, diff, save, the repo starts', async (t) => {
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const provider = await startMailProvider({ authservId: 'mx.provider.test', users: [{ address: 'airut@corp.test', password: 'gateway-pw' }, { address: 'alice@corp.test', password: 'alice-pw' }] });
  t.teardown(() => provider.close());
  const repoUrl = await upstreamRepo(home, { '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\n` });

  const dir = join(env.XDG_CONFIG_HOME, 'airut');
  const file = join(dir, 'airut.yaml');
  const original = `# Airut on the test box
execution:
  max_concurrent: 1    # one task at a time
  container_env:
    CONTAINERS_CONF: !env TEST_CONTAINERS_CONF   # podman settings of this machine

# Repositories are added from the dashboard.
repos: {}
`;
  await mkdir(dir, { recursive: true });
  await writeFile(file, original, { mode: 0o644 });
  const service = serve(t, { ...env, TEST_CONTAINERS_CONF: testContainersConf(), GATEWAY_PW: 'gateway-pw' });
  const [, url] = await service.line(/dashboard listening url=(\S+)/) as [string, string];
  await service.line(/service ready/);
  const before = await status(url);

  const page = await browser.newPage();
  t.teardown(() => page.close());
  const consoleErrors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  await page.goto(`${url}/config`);
  const editor = page.locator('[data-page="config"]');
  await page.locator('[data-page="config"][data-ready="yes"]').waitFor();
  const settled = async (): Promise<void> => { await page.locator('[data-page="config"][data-checking="no"]').waitFor(); };
  const field = (path: string) => page.locator(`[data-key-path="${path}"]`);
  const input = (path: string) => field(path).locator(':scope > input, :scope > select, :scope > textarea');
  t.equal(await input('execution.container_env.CONTAINERS_CONF').inputValue(), '!env TEST_CONTAINERS_CONF', 'a reference is shown as written, never resolved');

  await page.getByLabel('New repository id').fill('web');
  await page.getByRole('button', { name: 'Add repository' }).click();
  await input('repos.web.repo_url').fill(repoUrl);
  await field('repos.web.email').getByRole('button', { name: 'Add email' }).click();
  await input('repos.web.email.imap_server').fill('127.0.0.1');
  await input('repos.web.email.imap_port').fill('99999');
  await input('repos.web.email.imap_security').selectOption('none');
  await input('repos.web.email.smtp_server').fill('127.0.0.1');
  await input('repos.web.email.smtp_port').fill(String(provider.smtpPort));
  await input('repos.web.email.smtp_security').selectOption('none');
  await input('repos.web.email.username').fill('airut@corp.test');
  await input('repos.web.email.password').fill('!env GATEWAY_PW');
  await input('repos.web.email.from').fill('Airut <airut@corp.test>');
  await input('repos.web.email.authorized_senders').fill('alice@corp.test');
  await input('repos.web.email.trusted_authserv_id').fill('mx.provider.test');
  await settled();

  t.equal(await field('repos.web.email.imap_port').locator('.field-error').textContent(), 'must be at most 65535, got 99999', 'the bad port is flagged at its field');
  t.equal(await editor.getAttribute('data-problems'), '1', 'and nothing else is wrong');
  await page.locator('#review-config').click();
  await page.locator('#config-review:not([hidden])').waitFor();
  t.equal(await page.locator('#save-config').isDisabled(), true, 'Save is refused while a field is wrong');
  await checkScreenshot(t, 'config-editor-field-error', await page.screenshot({ fullPage: true }));
  const forced = await page.evaluate(async (hash) => {
    const response = await fetch('/api/config', {
      method: 'PUT',
      headers: { 'X-Airut-Request': '1', 'Content-Type': 'application/json' },
      body: JSON.stringify({ baseHash: hash, edits: [{ op: 'addRepo', id: 'web' }, { op: 'set', path: ['repos', 'web', 'repo_url'], value: 'x' }] }),
    });
    return response.status;
  }, await editor.getAttribute('data-hash'));
  t.equal(forced, 422, 'the server refuses an invalid save too');

  await input('repos.web.email.imap_port').fill(String(provider.dovecot.port));
  await settled();
  t.equal(await editor.getAttribute('data-problems'), '0');
  t.equal(await field('repos.web.email.imap_port').locator('.field-error').textContent(), '');
  await page.locator('#review-config').click();
  await page.locator('#config-review:not([hidden])').waitFor();
  const diff = await page.locator('#config-diff').textContent() ?? '';
  t.match(diff, /-repos: \{\}\n\+repos:\n\+ {2}web:\n/, 'the diff shows the new repo');
  t.match(diff, /\+ {6}password: !env GATEWAY_PW\n/, 'the password stays a reference');
  t.notMatch(diff, /gateway-pw/);
  t.equal(await page.locator('#save-config').isEnabled(), true);
  await checkScreenshot(t, 'config-editor-diff', await page.screenshot({ fullPage: true }));

  await page.locator('#save-config').click();
  await page.locator('[data-page="config"][data-saved]').waitFor();
  t.match(await page.locator('#config-banner').textContent(), /Saved/);
  const saved = await readFile(file, 'utf8');
  const kept = `# Airut on the test box
execution:
  max_concurrent: 1    # one task at a time
  container_env:
    CONTAINERS_CONF: !env TEST_CONTAINERS_CONF   # podman settings of this machine

# Repositories are added from the dashboard.
repos:
  web:
`;
  t.equal(saved.slice(0, kept.length), kept, 'comments, spacing and the !env tag are kept; the repo goes into the emptied repos mapping');
  t.match(saved, / {6}password: !env GATEWAY_PW\n/);
  t.match(saved, / {6}imap_port: \d+\n/);
  t.notMatch(saved, /gateway-pw/, 'no secret was written in the clear');
  t.equal((await stat(file)).mode & 0o777, 0o600, 'saved with mode 0600');

  // The service notices the file and starts the new repo's listener without a restart.
  await service.line(/repo started repo=web channels=email/);
  await service.line(/config reloaded/);
  const after = await status(url);
  t.equal(after.generation, before.generation + 1, '/api/status counts the reload');
  t.equal(after.lastReloadError, undefined);
  await page.goto(url);
  const row = page.locator('table.repos tr', { hasText: 'web' });
  await row.locator('.channel', { hasText: /email: (idle|polling|connected)/ }).waitFor();
  await checkScreenshot(t, 'config-editor-repo-running', await page.screenshot({ fullPage: true }));
  t.same(consoleErrors.filter((text) => /Content Security Policy/.test(text)), [], 'no CSP violations');
});

t.test('in the browser a stored secret is only ever masked and survives a save; an unknown key can be removed', async (t) => {
  const path = await configFile(t, `dashboard:
  prot: 5300   # a typo
repos:
  web:
    repo_url: https://example.com/web.git
    secrets:
      API_TOKEN: tok-literal-0123456789abcdef
    slack:
      bot_token: xoxb-stored-bot-token-000111
      app_token: xapp-stored-app-token-000222
      authorized:
        - workspace_members: true
`);
  const source = new class extends MemorySource {
    override configPath(): string {
      return path;
    }
  }();
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const page = await browser.newPage();
  t.teardown(() => page.close());
  await page.goto(`${dashboard.url}/config`);
  await page.locator('[data-page="config"][data-ready="yes"]').waitFor();

  const secret = page.locator('[data-key-path="repos.web.secrets.API_TOKEN"] input');
  t.equal(await secret.inputValue(), '', 'the stored value is not in the input');
  t.match(await secret.getAttribute('placeholder'), /^••••••••cdef \(stored; type to replace\)$/);
  t.equal(await secret.getAttribute('type'), 'password');
  t.match(await page.locator('[data-key-path="repos.web.slack.authorized"] textarea').inputValue(), /workspace_members: true/, 'a list of rules is edited as YAML');
  const everything = await page.evaluate<string>('document.documentElement.outerHTML + JSON.stringify([...document.querySelectorAll("input, textarea")].map((node) => node.value))');
  t.notMatch(everything, /tok-literal-0123456789|stored-bot-token|stored-app-token/, 'no stored secret reaches the page');

  const problem = page.locator('#config-problems li', { hasText: 'dashboard.prot: unknown key; did you mean "port"?' });
  await problem.waitFor();
  await problem.getByRole('button', { name: 'Remove this key' }).click();
  await page.locator('[data-key-path="repos.web.model"] input').fill('opus');
  await page.locator('[data-page="config"][data-checking="no"][data-problems="0"]').waitFor();
  await page.locator('#review-config').click();
  await page.locator('#config-review:not([hidden])').waitFor();
  t.notMatch(await page.locator('#config-diff').textContent(), /tok-literal|stored-bot-token/, 'the diff does not carry secrets either');
  await page.locator('#save-config').click();
  await page.locator('[data-page="config"][data-saved]').waitFor();
  const saved = await readFile(path, 'utf8');
  t.notMatch(saved, /prot/);
  t.match(saved, /API_TOKEN: tok-literal-0123456789abcdef\n/, 'the untouched secret keeps its stored value');
  t.match(saved, /bot_token: xoxb-stored-bot-token-000111\n/);
  t.match(saved, /model: opus\n/);
  await checkScreenshot(t, 'config-editor-secrets', await page.screenshot({ fullPage: true }));
});
