import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { airutBackground, tempHome, waitForLine } from '../harness/cli.js';
import { TEST_BASE_IMAGE, testContainersConf } from '../harness/podman.js';
import { upstreamRepo } from '../core/gateway/fakes.js';

interface Status {
  generation: number;
  fileHash?: string;
  lastReloadError?: string;
}

/** A loopback port nothing listens on (the repo's mail server is down: its channel starts in backoff). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

t.test('airut serve started without a config picks up a config written later, and keeps it when a broken one follows', async (t) => {
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const child = airutBackground(['serve', '--dashboard-port', '0'], env);
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
  t.teardown(async () => {
    child.kill('SIGKILL');
    await child;
  });
  /** The first line printed so far, or from now on, that matches. */
  const line = async (pattern: RegExp): Promise<RegExpMatchArray> => pattern.exec(printed) ?? waitForLine(child, pattern);
  const [, url] = await line(/dashboard listening url=(\S+)/) as [string, string];
  await line(/config file watcher started/);
  const status = async (): Promise<Status> => ((await (await fetch(`${url}/api/status`)).json()) as { config: Status }).config;
  const start = await status();
  t.equal(start.fileHash, undefined, 'no file yet');

  // The config directory does not exist yet either: the watch sits on an ancestor until it appears.
  const dir = join(env.XDG_CONFIG_HOME, 'airut');
  const file = join(dir, 'airut.yaml');
  const repoUrl = await upstreamRepo(home, { '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\n` });
  const port = await closedPort();
  const config = stringify({
    execution: { container_env: { CONTAINERS_CONF: testContainersConf() } },
    repos: {
      live: {
        repo_url: repoUrl,
        email: {
          imap_server: '127.0.0.1', imap_port: port, imap_security: 'none', imap_connect_retries: 1,
          smtp_server: '127.0.0.1', smtp_port: port, smtp_security: 'none',
          username: 'airut', password: 'pw-123456', from: 'Airut <airut@example.com>',
          authorized_senders: ['*@example.com'], trusted_authserv_id: 'test.local',
        },
      },
    },
  });
  await mkdir(dir, { recursive: true });
  // Saved the way editors and the dashboard save: a temporary file renamed over the config.
  await writeFile(join(dir, '.airut.yaml.tmp'), config, { mode: 0o600 });
  await rename(join(dir, '.airut.yaml.tmp'), file);

  await line(/repo started.*live/);
  await line(/config reloaded/);
  const loaded = await status();
  t.equal(loaded.generation, start.generation + 1, 'one reload');
  t.equal(loaded.fileHash, sha(config), '/api/status reports the hash of the file written');
  t.equal(loaded.lastReloadError, undefined);
  t.match(printed, /added=live/, 'the reload logs what it changed');

  const broken = `${config}repos: [unclosed\n`;
  await writeFile(file, broken);
  await line(/config reload failed; keeping the running config/);
  const failed = await status();
  t.equal(failed.generation, loaded.generation, 'the running config stays');
  t.equal(failed.fileHash, sha(broken));
  t.match(failed.lastReloadError, /airut\.yaml/);
  t.notMatch(printed, /repo stopped/, 'the repo was not touched');
  const overview = await (await fetch(`${url}/`)).text();
  t.match(overview, /live/, 'the dashboard still shows the repo');

  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 0);
  t.match(String(result.stdout), /stopped/);
});
