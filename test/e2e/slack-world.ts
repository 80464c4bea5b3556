/**
 * `airut serve` with a Slack repo, run as a user runs it (temp HOME, real
 * podman with the network sandbox on an `--internal` egress network, the fake
 * claude), pointed at the fake Slack on 127.0.0.1 by `slack.api_url`. Each
 * message picks its fake-claude scenario with a `fake-claude:` line.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ResultPromise } from 'execa';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import { airutBackground, tempHome, waitForLine } from '../harness/cli.js';
import type { FakeSlack, FakeSlackCall } from '../harness/fake-slack/index.js';
import { removeOwnedBy, TEST_BASE_IMAGE, testContainersConf, testRuntime } from '../harness/podman.js';
import { signalChild } from '../harness/signal-child.js';
import { fakeSlack } from '../core/channels/slack/slack-fixture.js';
import { upstreamRepo } from '../core/gateway/fakes.js';

const FAKE_CLAUDE = join(import.meta.dirname, '..', 'harness', 'fake-claude', 'claude');
const ROOT = join(import.meta.dirname, '..', '..');
/** The session id the fake claude reports. */
export const SESSION = '11111111-2222-3333-4444-555555555555';

/** What the world is made of besides the `slacky` repo. */
export interface SlackWorldOptions {
  /** Also a repo `revoked` whose bot token the fake Slack refuses. */
  revoked?: boolean;
  /** `repos.slacky.schedules`. */
  schedules?: Record<string, unknown>;
  /** More arguments of `airut serve` (e.g. `--schedule-clock-file`). */
  serveArgs?: string[];
  /**
   * Called with the egress network before the service starts (to start fake
   * upstreams on it); what it returns is added to the config's `network:`.
   */
  egress?: (network: string) => Promise<Record<string, unknown>>;
  /** More keys of `repos.slacky.network` (e.g. `approval_hold_seconds`). */
  repoNetwork?: Record<string, unknown>;
  /** Serve the dashboard on a free loopback port (its URL is in the `dashboard listening url=` line). Default off. */
  dashboard?: boolean;
  /** The fake claude's scenario for messages without a `fake-claude:` line. Default `success`. */
  scenario?: string;
}

/** A running `airut serve` with the Slack repo `slacky`. */
export interface SlackWorld {
  fake: FakeSlack;
  /** `$XDG_STATE_HOME/airut/slacky`. */
  repoStateDir: string;
  /** Stops the service with SIGTERM (it must exit 0) and starts it again. */
  restart(): Promise<void>;
  /** Resolves with the first line (printed already or later) matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  /** The conversation a Slack thread is mapped to, from the thread map on disk. */
  conversationOf(channel: string, threadTs: string): Promise<string | undefined>;
  /** What the fake claude recorded in a conversation (`argv`, `stdin`, markers). */
  fakeClaudeDir(conversationId: string): string;
}

/** Starts the world; everything it made is removed in the test's teardown. */
export async function startSlackWorld(t: Test, options: SlackWorldOptions = {}): Promise<SlackWorld> {
  if (!existsSync(join(ROOT, 'dist', 'sandbox', 'proxy', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const runtime = testRuntime();
  if ((await runtime.call(['image', 'exists', TEST_BASE_IMAGE])).exitCode !== 0) throw new Error(`${TEST_BASE_IMAGE} is missing: run \`npm run provision\``);
  const fake = await fakeSlack(t);
  const { home, env, cleanup } = await tempHome();
  t.teardown(cleanup);
  const egress = `airut-e2e-slack-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', egress]);
  t.teardown(async () => {
    // A killed service leaves its tasks' containers behind; remove those on this test's network first.
    const listed = await runtime.call(['ps', '-aq', '--filter', `network=${egress}`]);
    for (const id of listed.stdout.split('\n').filter(Boolean)) await runtime.call(['rm', '-f', '-t', '0', id]);
    await runtime.call(['network', 'rm', '-f', egress]);
  });
  const egressConfig = options.egress === undefined ? {} : await options.egress(egress);
  const repoUrl = await upstreamRepo(home, {
    '.airut/network-allowlist.yaml': 'domains:\n  - api.anthropic.com\nurl_prefixes: []\n',
    '.airut/container/Dockerfile': `FROM ${TEST_BASE_IMAGE}\n`,
  });
  const slack = (botToken: string) => ({ bot_token: botToken, app_token: fake.appToken, api_url: fake.apiUrl, authorized: [{ workspace_members: true }] });
  const config = {
    dashboard: { enabled: options.dashboard ?? false },
    execution: { max_concurrent: 2, shutdown_timeout: 30, container_env: { CONTAINERS_CONF: testContainersConf() }, claude_binary: FAKE_CLAUDE },
    network: { egress_network: egress, upstream_dns: '127.0.0.1', ...egressConfig },
    repos: {
      slacky: {
        repo_url: repoUrl, model: 'sonnet', secrets: { FAKE_CLAUDE_SCENARIO: options.scenario ?? 'success' }, network: { sandbox_enabled: true, ...options.repoNetwork }, slack: slack(fake.botToken),
        ...(options.schedules === undefined ? {} : { schedules: options.schedules }),
      },
      ...(options.revoked === true ? { revoked: { repo_url: repoUrl, slack: slack('xoxb-revoked') } } : {}),
    },
  };
  await mkdir(join(env.XDG_CONFIG_HOME, 'airut'), { recursive: true });
  await writeFile(join(env.XDG_CONFIG_HOME, 'airut', 'airut.yaml'), stringify(config));

  let child: ResultPromise | undefined;
  let printed = '';
  const start = async (): Promise<void> => {
    const connections = fake.connections;
    const started = airutBackground(['serve', ...(options.dashboard === true ? ['--dashboard-port', '0'] : []), ...(options.serveArgs ?? [])], env);
    child = started;
    printed = '';
    started.stdout?.on('data', (chunk: Buffer) => { printed += chunk.toString('utf8'); });
    t.teardown(async () => {
      started.kill('SIGKILL');
      await started;
      // The killed service may have prepared a task network and proxy for the next task.
      await removeOwnedBy(runtime, started.pid);
    });
    await waitForLine(started, /service ready/);
    await fake.waitForConnection(connections + 1);
  };
  await start();
  const repoStateDir = join(env.XDG_STATE_HOME, 'airut', 'slacky');
  return {
    fake,
    repoStateDir,
    restart: async () => {
      const running = child as ResultPromise;
      // Not child.kill(): execa would follow up with SIGKILL after 5 s.
      signalChild(running, 'SIGTERM');
      const result = await running;
      t.equal(result.exitCode, 0, `serve stopped cleanly (stderr: ${String(result.stderr)})`);
      await start();
    },
    line: async (pattern) => {
      const line = printed.split('\n').find((l) => pattern.test(l));
      return line ?? (await waitForLine(child as ResultPromise, pattern))[0];
    },
    conversationOf: async (channel, threadTs) => {
      const map = JSON.parse(await readFile(join(repoStateDir, 'slack', 'slack_threads.json'), 'utf8')) as Record<string, string>;
      return map[`${channel}:${threadTs}`];
    },
    fakeClaudeDir: (conversationId) => join(repoStateDir, 'conversations', conversationId, 'claude', 'fake'),
  };
}

/** Resolves once `path` exists (a marker the fake claude writes inside the container). */
export async function fileAppears(path: string): Promise<void> {
  while (!existsSync(path)) await delay(100);
}

/** The text of a recorded call. */
export const text = (call: FakeSlackCall): string => String(call.args['text']);
/** Matches calls posting in one thread. */
export const inThread = (channel: string, ts: string) => (call: FakeSlackCall): boolean => call.args['channel'] === channel && call.args['thread_ts'] === ts;
