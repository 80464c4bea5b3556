import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { OWNER_LABEL } from '../../src/sandbox/runtime/index.js';
import { testRuntime } from '../harness/podman.js';
import { signalChild } from '../harness/signal-child.js';
import { ALICE, startGatewayWorld, waitForFile, type GatewayWorld } from './gateway-world.js';

/**
 * The file `airut serve --schedule-clock-file` reads the time from. `set`
 * replaces it whole (write, then rename): a reader never sees it empty or
 * half written, which it would take for "no time set" and fall back to the
 * system clock, months away from these fire times.
 */
async function testClock(t: Test, start: string): Promise<{ file: string; set: (iso: string) => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-clock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'now');
  const set = async (iso: string): Promise<void> => {
    await writeFile(`${file}.next`, iso);
    await rename(`${file}.next`, file);
  };
  await set(start);
  return { file, set };
}

interface ScheduleJson { name: string; schedule: string; nextRunAt?: string; lastRunAt?: string; lastOutcome?: string }

/** The schedule `name` of repo `e2e` as `/api/repos` shows it. */
async function apiSchedule(url: string, name: string): Promise<ScheduleJson | undefined> {
  const body = await (await fetch(`${url}/api/repos`)).json() as { repos: { id: string; schedules?: ScheduleJson[] }[] };
  return body.repos.find((r) => r.id === 'e2e')?.schedules?.find((s) => s.name === name);
}

/** The conversations the service created (one per scheduled run here). */
async function conversations(world: GatewayWorld): Promise<string[]> {
  const names = await readdir(join(world.stateDir, 'conversations')).catch(() => []);
  return names.filter((n) => /^[0-9a-f]{8}$/.test(n)).sort();
}

function count(text: string, pattern: RegExp): number {
  return text.split('\n').filter((l) => pattern.test(l)).length;
}

// Every run waits in the fake claude until the test creates its release file.
const MINUTELY = { cron: '* * * * *', timezone: 'UTC', subject: 'Build watch', prompt: 'Watch the build.\nfake-claude: until-released', deliver: { to: ALICE.address } };
const FIRED = /schedule fired.*schedule=minutely/;
const STARTED = /scheduled task started.*schedule=minutely.*conversation=([0-9a-f]{8})/;
const SKIPPED = /previous run still going; this fire is skipped.*schedule=minutely/;
const FINISHED = /scheduled run finished.*schedule=minutely.*outcome=delivered/;

t.test('a fire while the previous run of its schedule still goes is skipped: logged, never run or mailed; the next fire after the run ends runs once', async (t) => {
  const clock = await testClock(t, '2026-06-01T06:59:30Z');
  const world = await startGatewayWorld(t, { scenario: 'success', dashboard: true, schedules: { minutely: MINUTELY }, serveArgs: ['--schedule-clock-file', clock.file] });
  const [, url = ''] = await world.line(/dashboard listening url=(\S+)/);
  await world.line(/schedule armed.*schedule=minutely.*next=2026-06-01T07:00:00.000Z/);

  await clock.set('2026-06-01T07:00:05Z');
  const [, first = ''] = await world.line(STARTED);
  const firstFake = join(world.conversationDir(first), 'claude', 'fake');
  await waitForFile(join(firstFake, 'started'));

  // One fire time passes while run 1 is held, then two at once (one look at the clock, one skip).
  await clock.set('2026-06-01T07:01:05Z');
  await world.line(/previous run still going; this fire is skipped.*schedule=minutely.*fire_at=2026-06-01T07:01:00.000Z/);
  await clock.set('2026-06-01T07:03:30Z');
  const skips = await world.lines(SKIPPED, 2);
  t.match(skips[1], /fire_at=2026-06-01T07:02:00.000Z/, 'the second look skips the earlier fire it finds due');
  const held = await apiSchedule(url, 'minutely');
  t.match(held?.schedule, /^\* \* \* \* \* in UTC; next 2026-06-01 07:04 UTC; running now$/, 'the repo page shows the run still going');
  t.equal(held?.nextRunAt, '2026-06-01T07:04:00.000Z', 'the skipped fires are behind the next one');
  t.match(held?.lastOutcome, /^[2-9] fires skipped while the previous run was still going \(last 2026-06-01 07:0[23] UTC\)$/, 'no run has ended yet: the page shows the skipped fires');
  const whileHeld = JSON.parse(await readFile(join(world.stateDir, 'schedules.json'), 'utf8')) as Record<string, { lastFire?: string; lastRun?: unknown }>;
  t.equal(whileHeld.minutely?.lastFire, '2026-06-01T07:00:00.000Z', 'a skipped fire is not recorded as fired');
  t.equal(count(world.output(), FIRED), 1, 'one fire dispatched');
  t.equal(count(world.output(), STARTED), 1, 'one run started');
  t.same(await conversations(world), [first], 'no conversation for a skipped fire');
  t.same(await readdir(join(firstFake, 'runs')), ['1.stdin'], 'claude ran once in run 1');

  await writeFile(join(firstFake, 'release'), '');
  await world.line(FINISHED);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  t.equal(mails.length, 1, 'one mail for run 1');
  t.equal(mails[0]?.parsed.subject, `[ID:${first}] Build watch`);
  t.match(mails[0]?.parsed.text, /Run 1 done\./);
  t.equal(count(world.output(), FIRED), 1, 'still one fire after run 1 ended: the skipped fires are not run late');
  t.same(await conversations(world), [first]);
  const ended = await apiSchedule(url, 'minutely');
  t.match(ended?.lastOutcome, /^delivered; [2-9] fires skipped while the previous run was still going \(last 2026-06-01 07:0[23] UTC\)$/, 'the run\'s outcome, then the skipped fires');
  t.notMatch(ended?.schedule, /running now/);

  await clock.set('2026-06-01T07:04:05Z');
  await world.line(/schedule fired.*schedule=minutely.*fire_at=2026-06-01T07:04:00.000Z/);
  const starts = await world.lines(STARTED, 2);
  const second = STARTED.exec(starts[1] ?? '')?.[1] ?? '';
  t.not(second, first, 'the next fire is a new conversation');
  const secondFake = join(world.conversationDir(second), 'claude', 'fake');
  await waitForFile(join(secondFake, 'started'));
  await writeFile(join(secondFake, 'release'), '');
  await world.lines(FINISHED, 2);
  const after = await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  t.equal(after.length, 2, 'one more mail, for the 07:04 fire');
  t.equal(after[1]?.parsed.subject, `[ID:${second}] Build watch`);
  t.equal(count(world.output(), FIRED), 2, 'two fires dispatched in all');
  t.equal(count(world.output(), SKIPPED), 2, 'two skipped');
  t.same(await conversations(world), [first, second].sort(), 'two runs in all');
  const state = JSON.parse(await readFile(join(world.stateDir, 'schedules.json'), 'utf8')) as Record<string, { lastFire?: string; lastRun?: { outcome?: string; conversationId?: string } }>;
  t.equal(state.minutely?.lastFire, '2026-06-01T07:04:00.000Z');
  t.equal(state.minutely?.lastRun?.outcome, 'delivered');
  t.equal(state.minutely?.lastRun?.conversationId, second);

  // A stop, not the teardown's kill: the service removes its prepared proxies, their networks and their files itself.
  signalChild(world.child, 'SIGTERM');
  t.equal((await world.child).exitCode, 0, 'serve stopped cleanly');
  const owner = `label=${OWNER_LABEL}=${String(world.child.pid)}`;
  const runtime = testRuntime();
  t.equal((await runtime.call(['ps', '-aq', '--filter', owner])).stdout.trim(), '', 'no container of this service is left');
  t.equal((await runtime.call(['network', 'ls', '-q', '--filter', owner])).stdout.trim(), '', 'no network of this service is left');
  const leftDirs = (await readdir(tmpdir())).filter((n) => n.startsWith(`airut-proxy-${String(world.child.pid)}-`));
  t.same(leftDirs, [], 'no proxy directory of this service is left');
});
