import { EventEmitter, once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ScheduleConfig } from '../../../src/core/config/index.js';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker } from '../../../src/core/gateway/index.js';
import { repoScheduler } from '../../../src/core/gateway/repo-schedules.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';
import { Scheduler, ScheduleState, type FireResult, type ScheduledFire } from '../../../src/core/scheduler/index.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from '../gateway/fakes.js';
import { repoTemplate } from '../../harness/repo-template.js';

function schedule(fields: Partial<ScheduleConfig> = {}): ScheduleConfig {
  return { cron: '0 7 * * *', enable: true, timezone: 'Europe/Helsinki', prompt: 'Check the nightly build.', deliver: { to: 'ada@example.com', channel: 'email' }, output_limit: 102400, missed: 'skip', ...fields };
}

/** The upstream every test starts from: made once, copied for each test. */
const upstream = repoTemplate(t, upstreamRepo);

/** A repo handler with a fake channel and runner, and a scheduler on a clock the test moves. */
async function setup(t: Test, schedules: Record<string, ScheduleConfig>, options: { now: string; max?: number; state?: object } ) {
  const root = await mkdtemp(join(tmpdir(), 'airut-sched-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const repoUrl = await upstream.copyTo(join(root, 'upstream'));
  const stateDir = join(root, 'state', 'repo');
  const store = new ConversationStore(stateDir);
  const runner = new FakeRunner();
  const channel = new FakeChannel();
  const trackerEvents = new EventEmitter();
  const tracker = new TaskTracker({ onChange: () => trackerEvents.emit('change') });
  const logs: LogRecord[] = [];
  const logEvents = new EventEmitter();
  const logger = new Logger((r) => { logs.push(r); logEvents.emit('log', r); });
  const limit = new ConcurrencyLimit(options.max ?? 3);
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', timeoutSeconds: 600, showCost: true, acknowledge: { email: true } },
    store,
    mirror: new GitMirror({ repoUrl, repoStateDir: stateDir }),
    runner,
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [channel],
    limit,
    tracker,
    logger,
  });
  await handler.start();
  if (options.state !== undefined) await writeFile(join(stateDir, 'schedules.json'), JSON.stringify(options.state));
  let now = new Date(options.now);
  const scheduler: Scheduler = await repoScheduler('repo', { schedules } as never, handler, stateDir, { defaultZone: 'UTC', clock: () => now, maxSleepMs: 20 }, logger);
  t.teardown(async () => {
    scheduler.stop();
    await handler.stop(0);
    await scheduler.idle();
  });
  const finished = async (n: number): Promise<void> => {
    while (tracker.counts().completed + tracker.counts().failed < n) await once(trackerEvents, 'change');
    await scheduler.idle();
  };
  const logged = async (pattern: RegExp): Promise<LogRecord> => {
    for (;;) {
      const found = logs.find((r) => pattern.test(r.message));
      if (found !== undefined) return found;
      await once(logEvents, 'log');
    }
  };
  type Recorded = Record<string, { lastFire?: string; lastRun?: { outcome: string; conversationId?: string; fireAt: string } }>;
  const state = async (): Promise<Recorded> => JSON.parse(await readFile(join(stateDir, 'schedules.json'), 'utf8')) as Recorded;
  return { store, runner, channel, tracker, handler, scheduler, logs, limit, finished, logged, state, setNow: (iso: string) => { now = new Date(iso); } };
}

t.test('a prompt schedule fires at its time in its zone, delivers one new thread, and a reply resumes the session', async (t) => {
  // 07:00 in Helsinki (EEST) is 04:00 UTC.
  const s = await setup(t, { nightly: schedule({ subject: 'Nightly report' }) }, { now: '2026-06-01T03:59:00Z' });
  s.runner.auto = () => success('Two tests broke.', 'sess-42');
  await s.scheduler.start();
  t.equal(s.scheduler.list()[0]?.nextFire?.toISOString(), '2026-06-01T04:00:00.000Z');
  t.equal(s.runner.calls.length, 0, 'nothing before its time');
  s.setNow('2026-06-01T04:00:05Z');
  await s.finished(1);

  t.equal(s.channel.threads.length, 1, 'exactly one delivery');
  const thread = s.channel.threads[0];
  t.equal(thread?.to, 'ada@example.com');
  t.equal(thread?.subject, 'Nightly report');
  t.equal(thread?.reply.markdown, 'Two tests broke.');
  t.equal(s.channel.replies.length, 0, 'no acknowledgement: a scheduled task answers nobody');
  const prompt = s.runner.call(0).request.prompt;
  t.match(prompt, /This is a scheduled task "nightly"\. Your response will be delivered to ada@example\.com via email\.\n\nCheck the nightly build\.$/);
  t.equal(s.runner.call(0).request.sessionId, undefined, 'a fresh session');
  const task = s.tracker.list().find((x) => x.title === 'scheduled: nightly');
  t.equal(task?.sender, 'scheduler');
  t.equal(task?.reason, 'success');
  const id = thread?.conversationId ?? '';
  t.equal(task?.conversationId, id);
  const recorded = await s.state();
  t.equal(recorded.nightly?.lastFire, '2026-06-01T04:00:00.000Z');
  t.equal(recorded.nightly?.lastRun?.outcome, 'delivered');
  t.equal(recorded.nightly?.lastRun?.conversationId, id);
  t.equal(s.scheduler.list()[0]?.nextFire?.toISOString(), '2026-06-02T04:00:00.000Z');

  s.runner.auto = () => success('Fixed.', 'sess-42');
  await s.channel.deliver(message({ conversationId: id, text: 'Fix them please.' }));
  await s.finished(2);
  t.equal(s.runner.call(1).request.sessionId, 'sess-42', 'the reply resumed the scheduled session');
  t.equal(s.channel.results().at(-1)?.reply.markdown, 'Fixed.');
});

t.test('overlap guard: a fire while the previous run still goes is skipped and logged', async (t) => {
  const s = await setup(t, { often: schedule({ cron: '*/15 * * * *', timezone: 'UTC' }) }, { now: '2026-06-01T10:14:00Z' });
  await s.scheduler.start();
  s.setNow('2026-06-01T10:15:01Z');
  await s.runner.started(1);
  s.setNow('2026-06-01T10:30:01Z');
  const skipped = await s.logged(/previous run still going/);
  t.equal(skipped.fields?.fire_at, '2026-06-01T10:30:00.000Z');
  t.equal(s.runner.calls.length, 1, 'no second run');
  t.ok(s.scheduler.list()[0]?.running);
  s.runner.call(0).finish(success('done'));
  await s.finished(1);
  t.equal(s.scheduler.list()[0]?.nextFire?.toISOString(), '2026-06-01T10:45:00.000Z');
  t.equal(s.channel.threads.length, 1);
});

t.test('overlap guard: "Run now" while the timer\'s fire is being recorded is refused, not run alongside it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-sched-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const state = await ScheduleState.open(join(dir, 'schedules.json'));
  // The first write (the fire's record) waits for the test: the moment between the guard's check and the run's start.
  const write = state.update.bind(state);
  let writing: () => void = () => undefined;
  const writeReached = new Promise<void>((resolve) => { writing = resolve; });
  let releaseWrite: () => void = () => undefined;
  const writeReleased = new Promise<void>((resolve) => { releaseWrite = resolve; });
  state.update = async (name, change) => {
    writing();
    await writeReleased;
    await write(name, change);
  };
  const runs: ScheduledFire[] = [];
  const ends: (() => void)[] = [];
  const logs = new EventEmitter();
  let now = new Date('2026-06-01T06:59:00Z');
  const scheduler = new Scheduler({
    repoId: 'repo',
    schedules: { nightly: schedule({ timezone: 'UTC' }) },
    defaultZone: 'UTC',
    state,
    logger: new Logger((r) => { logs.emit('log', r); }),
    run: (fire) => {
      runs.push(fire);
      return new Promise<FireResult>((resolve) => { ends.push(() => { resolve({ outcome: 'delivered' }); }); });
    },
    clock: () => now,
    maxSleepMs: 20,
  });
  t.teardown(() => { scheduler.stop(); });
  await scheduler.start();
  const timerFired = new Promise<void>((resolve) => {
    logs.on('log', (r: LogRecord) => { if (r.message === 'schedule fired' && r.fields.manual === false) resolve(); });
  });
  now = new Date('2026-06-01T07:00:01Z');
  await writeReached;
  t.equal(await scheduler.runNow('nightly'), 'running', 'the fire being recorded already counts as running');
  releaseWrite();
  await timerFired;
  t.equal(runs.length, 1, 'one run');
  t.equal(runs[0]?.manual, false, 'the timer\'s');
  for (const end of ends) end();
  await scheduler.idle();
  t.notOk(scheduler.list()[0]?.running);
});

t.test('scheduled runs wait for a slot of max_concurrent', async (t) => {
  const s = await setup(t, { nightly: schedule({ timezone: 'UTC' }) }, { now: '2026-06-01T06:59:00Z', max: 1 });
  await s.channel.deliver(message({ text: 'long job' }));
  await s.runner.started(1);
  await s.scheduler.start();
  s.setNow('2026-06-01T07:00:01Z');
  await s.logged(/schedule fired/);
  const queued = s.tracker.list().find((x) => x.title === 'scheduled: nightly');
  t.equal(queued?.state, 'queued', 'waits while the only slot is taken');
  t.equal(s.runner.calls.length, 1);
  s.runner.call(0).finish(success('first'));
  await s.runner.started(2);
  s.runner.call(1).finish(success('second'));
  await s.finished(2);
  t.equal(s.runner.maxActive, 1);
});

t.test('missed: run_once runs once at start for fires missed while down; skip does not', async (t) => {
  const lastFire = '2026-06-01T07:00:00.000Z';
  const state = { caught: { lastFire, lastRun: { fireAt: lastFire, finishedAt: lastFire, outcome: 'delivered' } }, skipped: { lastFire, lastRun: { fireAt: lastFire, finishedAt: lastFire, outcome: 'delivered' } } };
  const s = await setup(t, { caught: schedule({ timezone: 'UTC', missed: 'run_once' }), skipped: schedule({ timezone: 'UTC' }) }, { now: '2026-06-04T12:00:00Z', state });
  s.runner.auto = () => success('caught up');
  await s.scheduler.start();
  await s.finished(1);
  t.equal(s.runner.calls.length, 1, 'three missed fires give one run, and only for run_once');
  const recorded = await s.state();
  t.equal(recorded.caught?.lastFire, '2026-06-04T07:00:00.000Z', 'the latest missed fire');
  t.equal(recorded.skipped?.lastFire, lastFire, 'skip leaves the missed fires alone');
  t.equal(s.scheduler.list().find((v) => v.name === 'skipped')?.nextFire?.toISOString(), '2026-06-05T07:00:00.000Z');
});

t.test('a fire cut short by a crash is reported interrupted and never run again', async (t) => {
  const state = { nightly: { lastFire: '2026-06-04T07:00:00.000Z' } };
  const s = await setup(t, { nightly: schedule({ timezone: 'UTC', missed: 'run_once' }) }, { now: '2026-06-04T07:03:00Z', state });
  await s.scheduler.start();
  const recorded = await s.state();
  t.equal(recorded.nightly?.lastRun?.outcome, 'interrupted');
  t.equal(recorded.nightly?.lastRun?.fireAt, '2026-06-04T07:00:00.000Z');
  t.equal(s.runner.calls.length, 0, 'no second run for the same fire');
  t.ok(s.logs.some((r) => /cut short by a restart/.test(r.message)));
});

t.test('a delivery failure is logged and recorded; a disabled schedule never fires but can be run now', async (t) => {
  const s = await setup(t, { off: schedule({ timezone: 'UTC', enable: false }) }, { now: '2026-06-01T06:59:00Z' });
  s.runner.auto = () => success('report');
  s.channel.failReplies = true;
  await s.scheduler.start();
  t.equal(s.scheduler.list()[0]?.nextFire, undefined);
  s.setNow('2026-06-01T07:00:30Z');
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(s.runner.calls.length, 0, 'disabled');
  t.equal(await s.scheduler.runNow('off'), 'started');
  t.equal(await s.scheduler.runNow('nope'), 'unknown');
  await s.finished(1);
  const recorded = await s.state();
  t.equal(recorded.off?.lastRun?.outcome, 'delivery_failed');
  t.match(s.logs.find((r) => /could not be delivered/.test(r.message))?.fields?.error, /SMTP is down/);
  t.equal(s.tracker.list()[0]?.reason, 'channel_error');
});

t.test('script mode: blank output sends nothing and leaves no conversation', async (t) => {
  const s = await setup(t, { check: schedule({ prompt: undefined, trigger_command: "scripts/check.sh --since '1 day'", trigger_timeout: 30 }) }, { now: '2026-06-01T06:00:00Z' });
  s.runner.command = () => ({ stdout: '\n  \n' });
  await s.scheduler.start();
  t.equal(await s.scheduler.runNow('check'), 'started');
  await s.finished(1);
  t.same(s.runner.commands[0]?.argv, ['scripts/check.sh', '--since', '1 day'], 'split without a shell');
  t.equal(s.runner.commands[0]?.timeoutSeconds, 30);
  t.equal(s.runner.calls.length, 0, 'no Claude run');
  t.equal(s.channel.threads.length, 0, 'nothing sent');
  t.same(await s.store.list(), [], 'no conversation left behind');
  t.equal((await s.state()).check?.lastRun?.outcome, 'nothing_to_do');
});

t.test('script mode: output becomes the prompt; a failure becomes the failure prompt, whose answer is delivered', async (t) => {
  const s = await setup(t, { check: schedule({ prompt: undefined, trigger_command: 'check | tee >out', output_limit: 8 }) }, { now: '2026-06-01T06:00:00Z' });
  s.runner.auto = () => success('Looked into it.');
  s.runner.command = () => ({ stdout: 'build 42 failed badly\n' });
  await s.scheduler.start();
  await s.scheduler.runNow('check');
  await s.finished(1);
  t.same(s.runner.commands[0]?.argv, ['check', '|', 'tee', '>out'], 'pipes and redirections are literal words');
  t.match(s.runner.call(0).request.prompt, /via email\.\n\nbuild 42\n\[\.\.\.truncated at 8B, total output was 22B\]$/);

  s.runner.command = () => ({ exitCode: 2, stdout: 'partial\n', stderr: 'no such file\n' });
  await s.scheduler.runNow('check');
  await s.finished(2);
  t.match(s.runner.call(1).request.prompt, /The scheduled trigger script failed unexpectedly\.\n\nCommand: check \| tee >out\nExit code: 2\n\nOutput:\npartial\n/);
  t.equal(s.channel.threads.length, 2);
  t.equal(s.channel.threads[1]?.reply.markdown, 'Looked into it.');
});

t.test('a scheduled run\'s delivered thread ends with its receipt, and allow N in a reply to it reaches that run\'s blocked list', async (t) => {
  const s = await setup(t, { nightly: schedule({ timezone: 'UTC' }) }, { now: '2026-06-01T06:59:00Z' });
  s.runner.auto = (request, index) => {
    if (index === 0) {
      request.onEvent({
        type: 'network',
        event: {
          event: 'log', kind: 'BLOCKED', level: 'warn', line: 'BLOCKED GET https://pkgs.test/simple/x -> 403', time: '2026-06-01T07:00:01.000Z',
          access: { allowed: false, method: 'GET', scheme: 'https', host: 'pkgs.test', path: '/simple/x', status: 403, bytes_up: 0, bytes_down: 0, credentials: [] },
        },
      });
    }
    return success(index === 0 ? 'The mirror was blocked.' : 'Fetched.', 'sess-7');
  };
  await s.scheduler.start();
  s.setNow('2026-06-01T07:00:05Z');
  await s.finished(1);
  const thread = s.channel.threads[0];
  t.match(thread?.reply.markdown, /\*\*Blocked requests\*\*\n\n1\. `GET pkgs\.test\/simple\/x` \(1×\)/, 'the scheduled reply carries the receipt with the numbered blocked list');
  await s.channel.deliver(message({ conversationId: thread?.conversationId ?? '', text: 'allow 1' }));
  await s.finished(2);
  t.same(s.runner.call(1).request.approvals?.map((a) => `${a.method} ${a.host}${a.path_prefix}`), ['GET pkgs.test/simple/x'], 'the reply approved the scheduled run\'s entry');
});
