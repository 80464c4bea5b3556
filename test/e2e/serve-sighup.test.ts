/**
 * SIGHUP reloads the configuration of the real `airut serve`. The config
 * path is a symlink to a file in another directory: the service's file
 * watcher looks at the config directory only, so an edit of the target is
 * seen by nothing but the SIGHUP, which makes the reload the signal's doing.
 */
import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { airutWatched, tempHome, waitForLine } from '../harness/cli.js';
import { TEST_BASE_IMAGE, testContainersConf } from '../harness/podman.js';
import { signalChild } from '../harness/signal-child.js';
import { upstreamRepo } from '../core/gateway/fakes.js';

/** Nothing listens on port 1 of loopback: the repos' mail server is down, so their channels wait in backoff. */
const DOWN = 1;

t.test('SIGHUP: a repo added to the config on disk appears in /api/repos, without a restart', async (t) => {
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const repoUrl = await upstreamRepo(home, { '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\n` });
  const repo = (user: string) => ({
    repo_url: repoUrl,
    email: {
      imap_server: '127.0.0.1', imap_port: DOWN, imap_security: 'none', imap_connect_retries: 1,
      smtp_server: '127.0.0.1', smtp_port: DOWN, smtp_security: 'none',
      username: user, password: 'pw-123456', from: `Airut <${user}@example.com>`,
      authorized_senders: ['*@example.com'], trusted_authserv_id: 'test.local',
    },
  });
  const config = (repos: Record<string, unknown>): string => stringify({ execution: { container_env: { CONTAINERS_CONF: testContainersConf() } }, repos });
  const target = join(home, 'elsewhere', 'airut.yaml');
  await mkdir(join(home, 'elsewhere'), { recursive: true });
  await writeFile(target, config({ first: repo('first') }));
  await mkdir(join(env.XDG_CONFIG_HOME, 'airut'), { recursive: true });
  await symlink(target, join(env.XDG_CONFIG_HOME, 'airut', 'airut.yaml'));

  const serve = airutWatched(t, ['serve', '--dashboard-port', '0'], env);
  const { child } = serve;
  const [, url] = await serve.line(/dashboard listening url=(\S+)/) as [string, string];
  await serve.line(/config file watcher started/);
  const repos = async (): Promise<string[]> => ((await (await fetch(`${url}/api/repos`)).json()) as { repos: { id: string }[] }).repos.map((r) => r.id).sort();
  const status = async (): Promise<{ generation: number; fileHash?: string }> => ((await (await fetch(`${url}/api/status`)).json()) as { config: { generation: number; fileHash?: string } }).config;
  t.same(await repos(), ['first']);
  const before = await status();

  const next = config({ first: repo('first'), second: repo('second') });
  await writeFile(target, next);
  const reloaded = waitForLine(child, /config reloaded/);
  signalChild(child, 'SIGHUP');
  await reloaded;
  t.match(serve.printed(), /added=second/, 'the reload logs what it added');
  t.same(await repos(), ['first', 'second'], 'the added repo is listed');
  const after = await status();
  t.equal(after.generation, before.generation + 1, 'one reload');
  t.equal(after.fileHash, createHash('sha256').update(next).digest('hex'), 'of the file as it is now');
  t.notMatch(serve.printed(), /repo stopped/, 'the repo already running was left alone');

  signalChild(child, 'SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 0);
});
