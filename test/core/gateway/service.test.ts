import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

// Was: every repo failing rejected the start (exit 2). The service now stays up so the operator can fix it.
t.test('every configured repo failing: the service stays up, health is error (503) naming the repo, and a retry with backoff starts it once it can', async (t) => {
  const { root, env, paths } = await home(t);
  const missing = join(root, 'upstream');
  await writeFile(paths.configFile, ['dashboard:', '  host: 127.0.0.1', 'repos:', '  gone:', `    repo_url: ${missing}`, ...email('    '), ''].join('\n'));
  const logs: LogRecord[] = [];
  const logged = new EventEmitter();
  const service = await startService({
    configPath: paths.configFile, env, paths, logger: new Logger((r) => { logs.push(r); logged.emit('log', r); }), version: 'x', dashboard: { port: 0 },
    channels: () => [new FakeChannel()], runner: () => new FakeRunner(),
    // Long enough for the first look to see the failure, short for the retry.
    retryDelayMs: (failures) => (failures === 1 ? 2000 : 200),
  });
  t.teardown(() => service.stop());
  const health = await fetch(`${service.dashboardUrl}/api/health`);
  t.equal(health.status, 503);
  const body = await health.json() as { status: string; problems: { repo: string; kind: string; reason: string }[]; repos: { failed: number } };
  t.equal(body.status, 'error');
  t.equal(body.repos.failed, 1);
  t.match(body.problems, [{ repo: 'gone', kind: 'repo_failed', reason: /gone|upstream|repo/ }]);
  const repos = await (await fetch(`${service.dashboardUrl}/api/repos`)).json() as { repos: { id: string; state: string; lastError?: { type: string; message: string }; nextRetryAt?: string }[] };
  t.match(repos.repos, [{ id: 'gone', state: 'failed', lastError: { type: String, message: String }, nextRetryAt: String }]);

  // The upstream appears: the next retry starts the repo without a reload.
  const started = new Promise<void>((resolve) => logged.on('log', (r: LogRecord) => { if (r.message === 'repo started') resolve(); }));
  t.equal(await upstreamRepo(root), missing);
  await started;
  const after = await fetch(`${service.dashboardUrl}/api/health`);
  t.equal(after.status, 200);
  t.match(await after.json(), { status: 'ok', problems: [], repos: { configured: 1, running: 1, failed: 0 } });
  t.ok(logs.filter((l) => l.message === 'repo failed to start').length >= 1);
});

t.test('a config that does not load at start: the dashboard stays up, health is error, and fixing the file starts the repos', async (t) => {
  const { root, env, paths } = await home(t);
  const repoUrl = await upstreamRepo(root);
  await writeFile(paths.configFile, 'dashboard:\n  host: 127.0.0.1\nrepos:\n  alpha:\n    repo_url: 42\n');
  const logs: LogRecord[] = [];
  const service = await startService({
    configPath: paths.configFile, env, paths, logger: new Logger((r) => logs.push(r)), version: 'x', dashboard: { port: 0 },
    channels: () => [new FakeChannel()], runner: () => new FakeRunner(),
  });
  t.teardown(() => service.stop());
  t.ok(logs.some((l) => l.level === 'error' && /config did not load/.test(l.message)));
  const health = await fetch(`${service.dashboardUrl}/api/health`);
  t.equal(health.status, 503);
  t.match(await health.json(), { status: 'error', problems: [{ kind: 'config_invalid', reason: /repo_url/ }] });
  t.match(await (await fetch(`${service.dashboardUrl}/api/status`)).json(), { config: { lastReloadError: /repo_url/ } });

  await writeFile(paths.configFile, ['dashboard:', '  host: 127.0.0.1', 'repos:', '  alpha:', `    repo_url: ${repoUrl}`, ...email('    '), ''].join('\n'));
  await service.reload();
  const after = await fetch(`${service.dashboardUrl}/api/health`);
  t.equal(after.status, 200);
  t.match(await after.json(), { status: 'ok', repos: { configured: 1, running: 1 } });
});

/** A service on fakes whose config the test rewrites; log records can be awaited. */
async function reloadable(t: Test, options: { watchConfig?: boolean; initial?: string } = {}) {
  const { root, env, paths } = await home(t);
  const repoUrl = await upstreamRepo(root);
  const logs: LogRecord[] = [];
  const logged = new EventEmitter();
  const channels = new Map<string, FakeChannel[]>();
  const runner = new FakeRunner();
  const write = (repos: Record<string, string[]>, extra: string[] = [], dashboard = ['  host: 127.0.0.1']): Promise<void> => writeFile(paths.configFile, [
    'dashboard:', ...dashboard, 'execution:', '  max_concurrent: 4', '  shutdown_timeout: 30', ...extra, 'repos:',
    ...Object.entries(repos).flatMap(([id, lines]) => [
      `  ${id}:`, ...(lines.some((l) => l.startsWith('repo_url:')) ? [] : [`    repo_url: ${repoUrl}`]), ...email('    ', id), ...lines.map((l) => `    ${l}`),
    ]),
    '',
  ].join('\n'));
  if (options.initial !== undefined) await writeFile(paths.configFile, options.initial);
  const service = await startService({
    configPath: paths.configFile,
    env,
    paths,
    logger: new Logger((r) => {
      logs.push(r);
      logged.emit('log');
    }),
    version: '0.0.0-test',
    dashboard: { port: 0 },
    channels: (id) => {
      const channel = new FakeChannel();
      channels.set(id, [...(channels.get(id) ?? []), channel]);
      return [channel];
    },
    runner: () => runner,
    watchConfig: options.watchConfig ?? false,
    watchDebounceMs: 20,
  });
  t.teardown(() => service.stop());
  /** Resolves with the first record (from `from` on) that matches. */
  const waitLog = async (predicate: (r: LogRecord) => boolean, from = 0): Promise<LogRecord> => {
    for (;;) {
      const found = logs.slice(from).find(predicate);
      if (found !== undefined) return found;
      await once(logged, 'log');
    }
  };
  const channel = (id: string, n = 0): FakeChannel => {
    const made = channels.get(id)?.[n];
    if (made === undefined) throw new Error(`channel #${n} of ${id} was never made`);
    return made;
  };
  const status = async (): Promise<{ generation: number; fileHash?: string; lastReloadError?: string }> => {
    const response = await fetch(`${service.dashboardUrl}/api/status`);
    return ((await response.json()) as { config: { generation: number; fileHash?: string; lastReloadError?: string } }).config;
  };
  return { service, logs, runner, channels, channel, write, waitLog, status, paths, root };
}

const is = (message: string, repo?: string) => (r: LogRecord): boolean => r.message === message && (repo === undefined || r.fields.repo === repo);

t.test('reload: an added repo starts at once; the others keep their channels', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: [] });
  await w.service.reload();
  t.equal(w.channels.get('alpha')?.length, 1, 'started with no file: the reload brings alpha up');
  await w.write({ alpha: [], beta: ['model: opus'] });
  await w.service.reload();
  t.equal(w.channels.get('beta')?.length, 1, 'beta started');
  t.equal(w.channels.get('alpha')?.length, 1, 'alpha was not restarted');
  t.notOk(w.channel('alpha').stopped);
  const reloaded = w.logs.filter(is('config reloaded')).at(-1);
  t.match(reloaded?.fields, { added: 'beta', removed: '', changed: '' });
  w.runner.auto = (request) => success(`beta ran ${request.model}`);
  const beta = w.channel('beta');
  await beta.deliver(message({ repoId: 'beta' }));
  await beta.waitFor(() => beta.completed.length === 1);
  t.equal(beta.results()[0]?.reply.markdown, 'beta ran opus');
});

t.test('reload: a removed repo takes no new messages and stops once its running task ends', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: [], beta: [] });
  await w.service.reload();
  const alpha = w.channel('alpha');
  await alpha.deliver(message({ repoId: 'alpha' }));
  await w.runner.started(1);
  await w.write({ beta: [] });
  await w.service.reload();
  await w.waitLog((r) => r.message.startsWith('repo removed from the config') && r.fields.repo === 'alpha');
  t.notOk(alpha.stopped, 'the channel stays up to answer the running task');
  await t.rejects(alpha.deliver(message({ repoId: 'alpha' })), { code: 'GATEWAY_STOPPED' }, 'a new message is left with the channel');
  t.equal(w.runner.calls.length, 1);
  w.runner.call(0).finish(success('done before leaving'));
  await w.waitLog(is('repo stopped', 'alpha'));
  t.ok(alpha.stopped);
  t.equal(w.runner.closes, 1, 'the removed repo\'s runner released what it keeps between runs (its prepared network)');
  t.equal(alpha.results()[0]?.reply.markdown, 'done before leaving', 'the running task was answered');
  t.notOk(w.channel('beta').stopped, 'beta untouched');
});

t.test('reload: a changed repo restarts only once its task ends, and only that repo', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: ['model: sonnet'], beta: [] });
  await w.service.reload();
  const alpha = w.channel('alpha');
  await alpha.deliver(message({ repoId: 'alpha' }));
  await w.runner.started(1);
  const mark = w.logs.length;
  await w.write({ alpha: ['model: opus'], beta: [] });
  await w.service.reload();
  await w.waitLog(is('repo restart pending until its tasks finish', 'alpha'), mark);
  t.equal(w.channels.get('alpha')?.length, 1, 'not restarted while its task runs');
  t.notOk(alpha.stopped);
  w.runner.call(0).finish(success('first answer'));
  await w.waitLog(is('repo started', 'alpha'), mark);
  t.equal(w.channels.get('alpha')?.length, 2, 'alpha restarted after its task');
  t.ok(alpha.stopped, 'the old channel was stopped');
  t.equal(alpha.results()[0]?.reply.markdown, 'first answer');
  t.equal(w.channels.get('beta')?.length, 1, 'beta was not restarted');
  t.notOk(w.channel('beta').stopped);
  w.runner.auto = (request) => success(`now ${request.model}`);
  const fresh = w.channel('alpha', 1);
  await fresh.deliver(message({ repoId: 'alpha' }));
  await fresh.waitFor(() => fresh.completed.length === 1);
  t.equal(fresh.results()[0]?.reply.markdown, 'now opus');
});

t.test('reload: an idle repo whose channel credentials changed restarts at once', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: [] });
  await w.service.reload();
  const mark = w.logs.length;
  const config = (await readFile(w.paths.configFile, 'utf8')).replace('password: pw-123456', 'password: pw-654321');
  await writeFile(w.paths.configFile, config);
  await w.service.reload();
  await w.waitLog(is('repo started', 'alpha'), mark);
  t.equal(w.channels.get('alpha')?.length, 2);
  t.ok(w.channel('alpha').stopped);
  t.match(w.logs.filter(is('config reloaded')).at(-1)?.fields, { changed: 'alpha' });
});

t.test('reload: an invalid file keeps the running config and is reported in /api/status', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: [] });
  await w.service.reload();
  const before = await w.status();
  const broken = 'repos:\n  alpha: [unclosed\n';
  await writeFile(w.paths.configFile, broken);
  await w.service.reload();
  const after = await w.status();
  t.equal(after.generation, before.generation, 'generation unchanged');
  t.match(after.lastReloadError, /airut\.yaml/);
  t.equal(after.fileHash, createHash('sha256').update(broken).digest('hex'), 'the hash is the failed file');
  t.ok(w.logs.some(is('config reload failed; keeping the running config')));
  t.equal(w.channels.get('alpha')?.length, 1);
  t.notOk(w.channel('alpha').stopped, 'the repo keeps running');
  w.runner.auto = () => success('still here');
  const alpha = w.channel('alpha');
  await alpha.deliver(message({ repoId: 'alpha' }));
  await alpha.waitFor(() => alpha.completed.length === 1);
  t.equal(alpha.results()[0]?.reply.markdown, 'still here');
  await w.write({ alpha: [] });
  await w.service.reload();
  const fixed = await w.status();
  t.equal(fixed.generation, before.generation + 1);
  t.equal(fixed.lastReloadError, undefined, 'a good reload clears the error');
});

t.test('reload: server-wide settings wait until no task runs, then every repo restarts', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: [] });
  await w.service.reload();
  const alpha = w.channel('alpha');
  await alpha.deliver(message({ repoId: 'alpha' }));
  await w.runner.started(1);
  const mark = w.logs.length;
  await w.write({ alpha: [] }, ['  max_image_age_hours: 5']);
  await w.service.reload();
  await w.waitLog(is('server settings change pending until no task runs'), mark);
  t.match(w.logs.filter(is('config reloaded')).at(-1)?.fields, { server: 'execution.max_image_age_hours', changed: '' });
  t.equal(w.channels.get('alpha')?.length, 1, 'nothing restarted while a task runs');
  w.runner.call(0).finish(success('ok'));
  await w.waitLog(is('server settings applied'), mark);
  await w.waitLog(is('repo started', 'alpha'), mark);
  t.equal(w.channels.get('alpha')?.length, 2, 'the repo was rebuilt with the new server settings');
});

t.test('reload while idle: server settings apply first, so an added repo starts with them', async (t) => {
  const w = await reloadable(t);
  await w.write({ alpha: [] });
  await w.service.reload();
  const mark = w.logs.length;
  await w.write({ alpha: [], beta: [] }, ['  max_image_age_hours: 7']);
  await w.service.reload();
  const after = w.logs.slice(mark).map((r) => `${r.message}${r.fields.repo === undefined ? '' : ` ${String(r.fields.repo)}`}`);
  const applied = after.indexOf('server settings applied');
  t.ok(applied >= 0 && applied < after.indexOf('repo started beta'), 'applied before beta started');
  await w.waitLog(is('repo started', 'alpha'), mark);
  t.equal(w.channels.get('alpha')?.length, 2, 'alpha rebuilt once with the new settings');
  t.equal(w.channels.get('beta')?.length, 1, 'beta started once');
  t.match(w.logs.filter(is('config reloaded')).at(-1)?.fields, { added: 'beta', server_pending: false });
});

t.test('reload: dashboard settings stop, start and move the listener', async (t) => {
  const w = await reloadable(t);
  const first = w.service.dashboardUrl ?? '';
  t.match(first, /^http:\/\/127\.0\.0\.1:\d+$/);
  await w.write({ alpha: [] }, [], ['  enabled: false']);
  await w.service.reload();
  t.equal(w.service.dashboardUrl, undefined, 'disabled: no listener');
  await t.rejects(fetch(`${first}/api/health`), 'the old address is closed');
  await w.write({ alpha: [] }, [], ['  host: 127.0.0.2']);
  await w.service.reload();
  const moved = w.service.dashboardUrl ?? '';
  t.match(moved, /^http:\/\/127\.0\.0\.2:\d+$/, 'enabled again on the new host');
  t.equal((await fetch(`${moved}/api/health`)).status, 200);
});

t.test('a repo that failed to start is tried again on the next reload', async (t) => {
  const w = await reloadable(t);
  const later = join(w.root, 'later');
  await w.write({ alpha: [], gamma: [`repo_url: ${join(later, 'upstream')}`] });
  await w.service.reload();
  t.ok(w.logs.some(is('repo failed to start', 'gamma')));
  t.match(w.logs.filter(is('config reloaded')).at(-1)?.fields, { failed: 'gamma' });
  await upstreamRepo(later);
  await w.service.reload();
  t.ok(w.logs.some(is('repo started', 'gamma')), 'the same config, and now gamma starts');
  t.equal(w.channels.get('alpha')?.length, 1, 'alpha untouched');
});

t.test('an edit followed by a SIGHUP reloads once: the watcher finds those bytes already loaded', async (t) => {
  const w = await reloadable(t, { watchConfig: true });
  const before = (await w.status()).generation;
  await w.write({ alpha: [] });
  await w.service.reload();
  const skipped = await w.waitLog(is('config file change already loaded'));
  const bytes = await readFile(w.paths.configFile);
  t.equal(skipped.fields.hash, createHash('sha256').update(bytes).digest('hex'), 'the watcher saw the edit');
  t.equal((await w.status()).generation, before + 1, 'one reload');
  t.equal(w.logs.filter(is('config reloaded')).length, 1);
});

t.test('the file watcher reloads a config written after start (no file at start)', async (t) => {
  const w = await reloadable(t, { watchConfig: true });
  t.ok(w.logs.some(is('config file watcher started')));
  t.equal((await w.status()).fileHash, undefined);
  await w.write({ alpha: [] });
  await w.waitLog(is('repo started', 'alpha'));
  await w.waitLog(is('config reloaded'));
  const bytes = await readFile(w.paths.configFile);
  t.equal((await w.status()).fileHash, createHash('sha256').update(bytes).digest('hex'));
});
