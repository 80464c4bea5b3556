import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { configPaths } from '../../../src/core/config/index.js';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, housekeepingPass, MessageLedger, RepoHandler, startHousekeeping, startService, TaskTracker, type HousekeepingTimers } from '../../../src/core/gateway/index.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';
import { ClaudeBinaryCache } from '../../../src/sandbox/index.js';
import { fakeSlack, startChannel } from '../channels/slack/slack-fixture.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from './fakes.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Timers the test fires by hand; `next()` resolves when the schedule sets its next one. */
function manualTimers(): HousekeepingTimers & { pending: { ms: number; run: () => void }[]; next(): Promise<{ ms: number; run: () => void }>; fire(): void } {
  const pending: { ms: number; run: () => void; handle: number }[] = [];
  let waiter: ((timer: { ms: number; run: () => void }) => void) | undefined;
  let handles = 0;
  return {
    pending,
    setTimeout(run, ms) {
      const timer = { ms, run, handle: ++handles };
      pending.push(timer);
      waiter?.(timer);
      waiter = undefined;
      return timer.handle;
    },
    clearTimeout(handle) {
      const index = pending.findIndex((p) => p.handle === handle);
      if (index !== -1) pending.splice(index, 1);
    },
    next() {
      const waiting = pending[0];
      return waiting !== undefined ? Promise.resolve(waiting) : new Promise((resolve) => { waiter = resolve; });
    },
    fire() {
      const timer = pending.shift();
      if (timer === undefined) throw new Error('no timer is pending');
      timer.run();
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve = (): void => undefined;
  let reject = (_error: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

t.test('the GC timer: a pass a minute after start, the next a day after it ended, never two at once; failures logged; stop waits for a pass', async (t) => {
  const timers = manualTimers();
  const logs: LogRecord[] = [];
  const passes: ReturnType<typeof deferred>[] = [];
  const housekeeping = startHousekeeping(() => {
    const pass = deferred();
    passes.push(pass);
    return pass.promise;
  }, { logger: new Logger((r) => logs.push(r)), timers });

  t.same(timers.pending.map((p) => p.ms), [60_000], 'the first pass a minute after start');
  timers.fire();
  t.equal(passes.length, 1);
  t.same(timers.pending, [], 'no next pass is planned while one runs');
  passes[0]?.resolve();
  t.equal((await timers.next()).ms, DAY_MS, 'the next a day after the pass ended');

  timers.fire();
  passes[1]?.reject(new Error('disk full'));
  t.equal((await timers.next()).ms, DAY_MS, 'a failed pass does not stop the schedule');
  t.match(logs.find((r) => r.message === 'housekeeping failed'), { level: 'error', fields: { error: 'disk full' } });

  timers.fire();
  let stopped = false;
  const stopping = housekeeping.stop().then(() => { stopped = true; });
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(stopped, false, 'stop waits for the pass in progress');
  passes[2]?.resolve();
  await stopping;
  t.same(timers.pending, [], 'and nothing is planned after it');
  t.equal(passes.length, 3);
});

t.test('stop before the first pass cancels it', async (t) => {
  const timers = manualTimers();
  let ran = 0;
  const housekeeping = startHousekeeping(async () => { ran++; }, { logger: new Logger(() => undefined), timers, firstDelayMs: 5 });
  t.same(timers.pending.map((p) => p.ms), [5]);
  await housekeeping.stop();
  t.same(timers.pending, []);
  t.equal(ran, 0);
});

/** A cache dir holding these versions' binaries. */
async function claudeCacheWith(t: Test, versions: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-claude-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const version of versions) {
    await mkdir(join(dir, version));
    await writeFile(join(dir, version, 'claude'), '#!/bin/sh\n', { mode: 0o755 });
  }
  return dir;
}

t.test('a pass on the timer: old conversations and their Slack threads go; Claude binaries but the newest and those in use go; settings are read at each pass', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'airut-gc-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const now = new Date('2026-06-10T12:00:00Z');
  const stateDir = join(root, 'state', 'repo');
  const store = new ConversationStore(stateDir, { clock: () => now });
  const old = (await store.create()).conversationId;
  const recent = (await store.create()).conversationId;
  const tenDaysAgo = new Date(now.getTime() - 10 * DAY_MS);
  await utimes(store.layout(old).dir, tenDaysAgo, tenDaysAgo);
  await utimes(store.layout(recent).dir, now, now);

  // The real Slack channel keeps the thread map; a scheduled result maps a thread to each conversation.
  const fake = await fakeSlack(t);
  const slackDir = join(stateDir, 'slack');
  const probe = await startChannel(t, fake, { stateDir: slackDir });
  for (const conversationId of [old, recent, 'dead0001']) {
    await probe.channel.startThread({ to: 'C1', conversationId, subject: 's', key: conversationId, reply: { kind: 'result', markdown: 'x', attachments: [] } });
  }
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', showCost: false, acknowledge: {} },
    store,
    mirror: new GitMirror({ repoUrl: join(root, 'nowhere'), repoStateDir: stateDir }),
    runner: { run: () => Promise.reject(new Error('no runs here')), runCommand: () => Promise.reject(new Error('no runs here')) },
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [probe.channel],
    limit: new ConcurrencyLimit(1),
    tracker: new TaskTracker({}),
    logger: new Logger(() => undefined),
  });

  const cacheDir = await claudeCacheWith(t, ['2.1.1', '2.1.2', '2.1.3', '2.1.10']);
  let maxAgeDays = 30;
  let imagePrunes = 0;
  const logs: LogRecord[] = [];
  const logger = new Logger((r) => logs.push(r));
  const timers = manualTimers();
  const housekeeping = startHousekeeping(housekeepingPass({
    repos: () => [{ id: 'repo', store, handler, claudeVersion: 'latest', claudeBinaryInUse: () => Promise.resolve(join(cacheDir, '2.1.2', 'claude')) }],
    settings: () => ({ conversationMaxAgeDays: maxAgeDays, imagePrune: true }),
    pruneImages: () => { imagePrunes++; return Promise.resolve(0); },
    claudeCache: new ClaudeBinaryCache({ cacheDir, env: {} }),
    logger,
  }), { logger, timers });
  t.teardown(() => housekeeping.stop());

  timers.fire();
  await timers.next();
  t.ok(existsSync(store.layout(old).dir), 'within 30 days nothing is removed');
  const map = (): Promise<Record<string, string>> => readFile(join(slackDir, 'slack_threads.json'), 'utf8').then((text) => JSON.parse(text) as Record<string, string>);
  t.same(Object.values(await map()).sort(), [old, recent].sort(), 'the thread of a conversation that never existed is forgotten');
  t.same(await new ClaudeBinaryCache({ cacheDir, env: {} }).listCached(), ['2.1.2', '2.1.10'], 'the binary in use and the newest stay');
  t.equal(imagePrunes, 1);

  maxAgeDays = 7;
  timers.fire();
  await timers.next();
  t.notOk(existsSync(store.layout(old).dir), 'the retention read at this pass removes the old conversation');
  t.ok(existsSync(store.layout(recent).dir));
  t.same(Object.values(await map()), [recent], 'and its Slack thread');
  t.match(logs.find((r) => r.message === 'threads of removed conversations forgotten' && r.fields['threads'] === 1), { fields: { repo: 'repo' } });
  t.match(logs.find((r) => r.message === 'old Claude Code binaries removed'), { fields: { versions: '2.1.1,2.1.3' } });
});

t.test('a failing housekeeping step is logged by name and the other steps still run', async (t) => {
  const cacheDir = await claudeCacheWith(t, ['2.1.1', '2.1.2']);
  const logs: LogRecord[] = [];
  const pass = housekeepingPass({
    repos: () => [{
      id: 'repo',
      store: { removeExpired: () => Promise.reject(new Error('state unreadable')) },
      handler: { runningConversations: () => [], pruneChannels: () => Promise.resolve(0) },
      claudeVersion: 'latest',
      claudeBinaryInUse: () => Promise.resolve(undefined),
    }],
    settings: () => ({ conversationMaxAgeDays: 7, imagePrune: true }),
    pruneImages: () => Promise.reject(new Error('podman: command not found')),
    claudeCache: new ClaudeBinaryCache({ cacheDir, env: {} }),
    logger: new Logger((r) => logs.push(r)),
  });
  await t.rejects(pass(), { message: 'housekeeping steps failed: conversations, images' });
  t.match(logs.filter((r) => r.message === 'housekeeping step failed').map((r) => r.fields), [
    { step: 'conversations', repo: 'repo', error: 'state unreadable' },
    { step: 'images', error: 'podman: command not found' },
  ]);
  t.same(await new ClaudeBinaryCache({ cacheDir, env: {} }).listCached(), ['2.1.2'], 'the binary prune still ran');
});

t.test('airut serve runs the pass on its GC timer: an expired conversation and an unused Claude binary go', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'airut-gc-svc-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_STATE_HOME: join(root, 'state'), XDG_CACHE_HOME: join(root, 'cache'), XDG_DATA_HOME: join(root, 'data') };
  const paths = configPaths(env, root);
  await mkdir(paths.configDir, { recursive: true });
  await writeFile(paths.configFile, [
    'dashboard:', '  enabled: false',
    'execution:', '  conversation_max_age_days: 2', '  image_prune: false',
    'repos:', '  alpha:', `    repo_url: ${await upstreamRepo(root)}`,
    '    email:', '      imap_server: 127.0.0.1', '      smtp_server: 127.0.0.1', '      username: airut', '      password: pw-123456',
    '      from: Airut <airut@example.com>', '      authorized_senders: ["*@example.com"]', '      trusted_authserv_id: test.local', '',
  ].join('\n'));
  for (const version of ['2.1.1', '2.1.2']) {
    await mkdir(join(paths.cacheDir, 'claude', version), { recursive: true });
    await writeFile(join(paths.cacheDir, 'claude', version, 'claude'), '#!/bin/sh\n', { mode: 0o755 });
  }
  const channel = new FakeChannel();
  const runner = new FakeRunner();
  runner.auto = () => success('done');
  const timers = manualTimers();
  const logs: LogRecord[] = [];
  const service = await startService({
    configPath: paths.configFile, env, paths, logger: new Logger((r) => logs.push(r)), version: '0.0.0-test', dashboard: { port: 0 },
    channels: () => [channel], runner: () => runner, housekeepingTimers: timers,
  });
  t.teardown(() => service.stop());
  await channel.deliver(message({ repoId: 'alpha' }));
  await channel.waitFor(() => channel.completed.length === 1);
  const id = channel.replies[0]?.conversationId ?? '';
  const workspace = join(paths.stateDir, 'alpha', 'conversations', id, 'workspace');
  const threeDaysAgo = new Date(Date.now() - 3 * DAY_MS);
  await utimes(workspace, threeDaysAgo, threeDaysAgo);

  t.same(timers.pending.map((p) => p.ms), [60_000], 'the service planned the first pass a minute after start');
  timers.fire();
  t.equal((await timers.next()).ms, DAY_MS, 'the pass ran and the next is a day later');
  t.notOk(existsSync(join(paths.stateDir, 'alpha', 'conversations', id)), 'the conversation older than conversation_max_age_days is gone');
  t.match(logs.find((r) => r.message === 'conversation removed'), { fields: { repo: 'alpha', conversation: id } });
  t.same(await new ClaudeBinaryCache({ cacheDir: join(paths.cacheDir, 'claude'), env: {} }).listCached(), ['2.1.2'], 'only the newest Claude binary is kept when no task runs one');
});
