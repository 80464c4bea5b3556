/**
 * The Slack channel inside the gateway service: real SlackChannel against the
 * fake Slack (Web API + Socket Mode), the real pipeline, conversation store
 * and git mirror; only the task runner is the gateway's test runner.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SlackChannel } from '../../src/core/channels/slack/index.js';
import { configPaths } from '../../src/core/config/index.js';
import { startService } from '../../src/core/gateway/index.js';
import { Logger, type LogRecord } from '../../src/core/log/index.js';
import { FakeRunner, success, upstreamRepo } from '../core/gateway/fakes.js';
import { dmEvent, fakeSlack } from '../core/channels/slack/slack-fixture.js';

t.test('DM -> acknowledgement and answer in the thread; the follow-up resumes the session; a repo with a revoked token fails alone', async (t) => {
  const fake = await fakeSlack(t);
  const root = await mkdtemp(join(tmpdir(), 'airut-slack-e2e-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_STATE_HOME: join(root, 'state'), XDG_CACHE_HOME: join(root, 'cache'), XDG_DATA_HOME: join(root, 'data') };
  const paths = configPaths(env, root);
  await mkdir(paths.configDir, { recursive: true });
  const repoUrl = await upstreamRepo(root);
  const slack = (botToken: string) => ['    slack:', `      bot_token: ${botToken}`, `      app_token: ${fake.appToken}`, `      api_url: ${fake.apiUrl}`, '      authorized:', '        - workspace_members: true'];
  await writeFile(paths.configFile, [
    'dashboard:', '  enabled: false',
    'repos:',
    '  good:', `    repo_url: ${repoUrl}`, ...slack(fake.botToken),
    '  revoked:', `    repo_url: ${repoUrl}`, ...slack('xoxb-revoked'),
    '',
  ].join('\n'));
  const logs: LogRecord[] = [];
  const runner = new FakeRunner();
  runner.auto = (request, index) => success(`answer ${index + 1} to: ${request.prompt.includes('docs') ? 'docs' : 'build'}`, 'sess-42');
  const service = await startService({
    configPath: paths.configFile, env, paths, version: '0.0.0-test', dashboard: {},
    logger: new Logger((r) => logs.push(r)),
    runner: () => runner,
    channels: (repoId, repo, context) => repo.slack === undefined ? [] : [new SlackChannel({
      repoId, config: repo.slack, stateDir: join(context.repoStateDir, 'slack'), logger: context.logger, onRejected: context.onRejected,
      clientPingTimeoutMs: 1000, retryConfig: { retries: 0 },
    })],
  });
  t.teardown(() => service.stop());
  t.ok(logs.some((l) => l.message === 'repo failed to start' && l.fields.repo === 'revoked' && /bot token/.test(String(l.fields.error))), 'the revoked repo is reported');
  t.ok(logs.some((l) => l.message === 'repo started' && l.fields.repo === 'good'), 'the other repo keeps running');

  await fake.sendEvent(dmEvent('fix the build', '10.1', '10.0'));
  await fake.waitForCall('chat.postMessage', (c) => String(c.args['text']).startsWith('answer 1'));
  const texts = fake.callsOf('chat.postMessage').map((c) => String(c.args['text']));
  t.equal(texts.length, 2, 'an acknowledgement, then the answer');
  t.match(texts[0], /started working on this/);
  t.ok(fake.callsOf('chat.postMessage').every((c) => c.args['thread_ts'] === '10.0'));
  const threads = JSON.parse(await readFile(join(env.XDG_STATE_HOME, 'airut', 'good', 'slack', 'slack_threads.json'), 'utf8')) as Record<string, string>;
  const conversationId = threads['D1:10.0'];
  t.match(conversationId, /^[0-9a-f]{8}$/);

  await fake.sendEvent(dmEvent('now the docs', '10.2', '10.0'));
  await fake.waitForCall('chat.postMessage', (c) => String(c.args['text']).startsWith('answer 2'));
  t.equal(runner.call(1).request.conversationId, conversationId, 'same conversation');
  t.equal(runner.call(1).request.sessionId, 'sess-42', 'the session is resumed');
});
