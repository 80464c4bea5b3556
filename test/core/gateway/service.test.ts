import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { configPaths } from '../../../src/core/config/index.js';
import { Redactor, startService, type GatewayRunEvent } from '../../../src/core/gateway/index.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from './fakes.js';

/** A syntactically complete email block; the tests replace the channel itself. */
const email = (indent: string, user = 'airut'): string[] => [
  'email:', '  imap_server: 127.0.0.1', '  smtp_server: 127.0.0.1', `  username: ${user}`, '  password: pw-123456',
  '  from: Airut <airut@example.com>', '  authorized_senders: ["*@example.com"]', '  trusted_authserv_id: test.local',
].map((l) => `${indent}${l}`);

async function home(t: Test) {
  const root = await mkdtemp(join(tmpdir(), 'airut-svc-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_STATE_HOME: join(root, 'state'), XDG_CACHE_HOME: join(root, 'cache'), XDG_DATA_HOME: join(root, 'data') };
  const paths = configPaths(env, root);
  await mkdir(paths.configDir, { recursive: true });
  return { root, env, paths };
}

t.test('serves each repo through its channels, counts tasks, redacts secrets, stops cleanly', async (t) => {
  const { root, env, paths } = await home(t);
  const repoUrl = await upstreamRepo(root);
  await writeFile(paths.configFile, [
    'dashboard:',
    '  host: 127.0.0.1',
    'execution:',
    '  max_concurrent: 1',
    '  shutdown_timeout: 30',
    'repos:',
    '  alpha:',
    `    repo_url: ${repoUrl}`,
    '    model: sonnet',
    '    secrets:',
    '      API_TOKEN: sk-very-secret-value',
    ...email('    '),
    '  broken:',
    `    repo_url: ${join(root, 'does-not-exist')}`,
    ...email('    ', 'other'),
    '',
  ].join('\n'));
  const logs: LogRecord[] = [];
  const redactor = new Redactor();
  const channels = new Map<string, FakeChannel>();
  const runner = new FakeRunner();
  runner.auto = (request) => success(`answered with ${request.model}`);
  const events: GatewayRunEvent[] = [];
  const service = await startService({
    configPath: paths.configFile,
    env,
    paths,
    logger: new Logger(redactor.sink((r) => logs.push(r))),
    redactor,
    version: '0.0.0-test',
    dashboard: { port: 0 },
    channels: (id) => {
      const channel = new FakeChannel();
      channels.set(id, channel);
      return [channel];
    },
    runner: () => runner,
    onRunEvent: (e) => events.push(e),
  });
  t.teardown(() => service.stop());
  t.ok(logs.some((l) => l.message === 'repo failed to start' && l.fields.repo === 'broken'), 'a broken repo is logged and skipped');
  t.ok(logs.some((l) => l.message === 'repo started' && l.fields.repo === 'alpha'));

  const channel = channels.get('alpha') as FakeChannel;
  const m = message({ repoId: 'alpha', text: 'use sk-very-secret-value please' });
  await channel.deliver(m);
  await channel.waitFor(() => channel.completed.length === 1);
  t.equal(channel.results()[0]?.reply.markdown, 'answered with sonnet');
  t.ok(events.some((e) => e.repoId === 'alpha' && e.event.type === 'finished'));

  const health = await fetch(`${service.dashboardUrl}/api/health`);
  t.match(await health.json(), { tasks: { queued: 0, running: 0, completed: 1, failed: 0 } });

  t.notOk(logs.some((l) => JSON.stringify(l).includes('sk-very-secret-value')), 'config secrets never reach the log');
  new Logger(redactor.sink((r) => logs.push(r))).info('token is sk-very-secret-value', { value: 'x sk-very-secret-value' });
  const last = logs.at(-1);
  t.equal(last?.message, 'token is [REDACTED]');
  t.equal(last?.fields.value, 'x [REDACTED]');

  await service.reload();
  t.ok(logs.some((l) => l.message === 'config reloaded'));
  await service.stop();
  t.ok(channel.stopped);
  t.ok(logs.some((l) => l.message === 'stopped'));
});

t.test('every configured repo failing is a start error', async (t) => {
  const { root, env, paths } = await home(t);
  await writeFile(paths.configFile, ['dashboard:', '  enabled: false', 'repos:', '  gone:', `    repo_url: ${join(root, 'nothing')}`, ...email('    '), ''].join('\n'));
  await t.rejects(startService({
    configPath: paths.configFile, env, paths, logger: new Logger(() => undefined), version: 'x', dashboard: {},
    channels: () => [new FakeChannel()], runner: () => new FakeRunner(),
  }), { code: 'GATEWAY_ALL_REPOS_FAILED', message: /gone/ });
});
