import { createServer } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { airut, airutBackground, tempHome, waitForLine } from '../harness/cli.js';

t.test('serve with no config: dashboard up with the Configure call to action, clean exit on SIGTERM', async (t) => {
  const { env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  t.teardown(() => { child.kill('SIGKILL'); });
  const [, url] = await waitForLine(child, /dashboard listening url=(\S+)/) as [string, string];
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds loopback by default');

  const health = await fetch(`${url}/api/health`);
  t.equal(health.status, 200);
  t.match(await health.json(), { status: 'ok', problems: [], tasks: { queued: 0, running: 0, completed: 0, failed: 0 } });

  const page = await fetch(`${url}/`);
  t.match(page.headers.get('content-security-policy'), /default-src 'none'/);
  t.equal(page.headers.get('x-frame-options'), 'DENY');
  const body = await page.text();
  t.match(body, /No repositories configured/);
  t.match(body, /href="\/config">Configure</);
  t.match(body, new RegExp(`${env.XDG_CONFIG_HOME}/airut/airut\\.yaml`), 'names where the config goes');

  const post = await fetch(`${url}/api/health`, { method: 'POST' });
  t.equal(post.status, 405);

  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 0, 'exits 0 after SIGTERM');
  t.match(String(result.stdout), /signal received, shutting down signal=SIGTERM/);
});

t.test('serve exits 3 with a clear message when the dashboard port is taken', async (t) => {
  const { env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const result = await airut(['serve', '--dashboard-port', String(port)], env);
  t.equal(result.exitCode, 3);
  t.match(result.stderr, new RegExp(`dashboard address 127\\.0\\.0\\.1:${port} is already in use`));
  t.match(result.stderr, /--dashboard-port/);
  t.notMatch(result.stderr, /\n\s+at /, 'no stack trace');
});

// Was: serve exited 1 on an invalid config. It now stays up so the config can be fixed from the dashboard.
t.test('serve with an invalid config stays up: the log names the key, file and line; health is error (503) until the file is fixed', async (t) => {
  const { env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const dir = join(env.XDG_CONFIG_HOME ?? '', 'airut');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'airut.yaml'), 'dashboard:\n  port: "abc"\n');
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  t.teardown(() => { child.kill('SIGKILL'); });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  const [, url] = await waitForLine(child, /dashboard listening url=(\S+)/) as [string, string];
  t.match(printed, /config did not load/);
  t.match(printed, /dashboard\.port/);
  t.match(printed, /line 2/);
  const health = await fetch(`${url}/api/health`);
  t.equal(health.status, 503);
  t.match(await health.json(), { status: 'error', problems: [{ kind: 'config_invalid', reason: /dashboard\.port/ }] });

  await writeFile(join(dir, 'airut.yaml'), 'dashboard:\n  host: 127.0.0.1\n');
  await waitForLine(child, /config reloaded/);
  const fixed = await fetch(`${url}/api/health`);
  t.equal(fixed.status, 200);
  t.match(await fixed.json(), { status: 'ok', problems: [] });
  child.kill('SIGTERM');
  t.equal((await child).exitCode, 0);
});

t.test('AIRUT_DASHBOARD_PORT is honoured', async (t) => {
  const { env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const child = airutBackground(['serve'], { ...env, AIRUT_DASHBOARD_PORT: '0' });
  t.teardown(() => { child.kill('SIGKILL'); });
  const [, url] = await waitForLine(child, /dashboard listening url=(\S+)/) as [string, string];
  t.notMatch(url, /:5200$/);
  child.kill('SIGINT');
  t.equal((await child).exitCode, 0);
});
