import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { signalChild } from '../harness/signal-child.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ALICE, GATEWAY, startGatewayWorld } from './gateway-world.js';

/** The file `airut serve --schedule-clock-file` reads the time from; `set` moves the service's clock. */
async function testClock(t: Test, start: string): Promise<{ file: string; set: (iso: string) => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-clock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'now');
  const set = (iso: string): Promise<void> => writeFile(file, iso);
  await set(start);
  return { file, set };
}

const NIGHTLY = { cron: '0 7 * * *', timezone: 'UTC', subject: 'Nightly report', prompt: 'Check the nightly build.', deliver: { to: ALICE.address } };

t.test('a prompt schedule mails one new thread at its time; replying to it resumes the same session', async (t) => {
  const clock = await testClock(t, '2026-06-01T06:59:00Z');
  const world = await startGatewayWorld(t, { scenario: 'success', schedules: { nightly: NIGHTLY }, serveArgs: ['--schedule-clock-file', clock.file] });
  await world.line(/schedule armed.*schedule=nightly.*next=2026-06-01T07:00:00.000Z/);
  await clock.set('2026-06-01T07:00:03Z');
  await world.line(/scheduled run finished.*outcome=delivered/);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  t.equal(mails.length, 1, 'one mail, no acknowledgement');
  const mail = mails[0]?.parsed;
  const id = /^\[ID:([0-9a-f]{8})\] Nightly report$/.exec(mail?.subject ?? '')?.[1] ?? '';
  t.match(id, /^[0-9a-f]{8}$/, `subject ${String(mail?.subject)}`);
  t.equal(mail?.inReplyTo, undefined, 'a new thread, not a reply');
  t.match(mail?.messageId, new RegExp(`^<airut\\.${id}\\.`));
  t.match(mail?.text, /First answer\.\s+Second answer\./);
  const prompt = await readFile(join(world.conversationDir(id), 'claude', 'fake', 'stdin'), 'utf8');
  t.match(prompt, new RegExp(`This is a scheduled task "nightly"\\. Your response will be delivered to ${ALICE.address.replace('.', '\\.')} via email\\.\\s+Check the nightly build\\.`));

  await world.provider.send(ALICE, {
    from: ALICE.address,
    to: GATEWAY.address,
    subject: `Re: ${mail?.subject ?? ''}`,
    text: 'Fix what broke.',
    inReplyTo: mail?.messageId,
    references: [mail?.messageId ?? ''],
  });
  const after = await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  t.equal(after.length, 2, 'the answer, and no acknowledgement for a continued conversation');
  t.match(after[1]?.parsed.subject, `[ID:${id}]`);
  const argv = await readFile(join(world.conversationDir(id), 'claude', 'fake', 'argv'), 'utf8');
  t.match(argv, /--resume\n11111111-2222-3333-4444-555555555555/, 'the reply resumed the scheduled session');
  const state = JSON.parse(await readFile(join(world.stateDir, 'schedules.json'), 'utf8')) as Record<string, { lastRun?: { outcome?: string; conversationId?: string } }>;
  t.equal(state.nightly?.lastRun?.outcome, 'delivered');
  t.equal(state.nightly?.lastRun?.conversationId, id);
});

t.test('kill -9 during a scheduled run, then restart: that fire is not run or delivered again; the next fire runs once', async (t) => {
  const clock = await testClock(t, '2026-06-01T06:59:00Z');
  const schedules = { nightly: { ...NIGHTLY, missed: 'run_once' } };
  const world = await startGatewayWorld(t, { scenario: 'wait', schedules, serveArgs: ['--schedule-clock-file', clock.file] });
  await world.line(/schedule armed.*schedule=nightly/);
  await clock.set('2026-06-01T07:00:03Z');
  await world.line(/scheduled task started/);
  world.child.kill('SIGKILL');
  await world.child.catch(() => undefined);

  // The scheduler decides about cut-short and missed fires before the service is ready.
  await world.restart('success');
  t.match(world.output(), /scheduled run was cut short by a restart; it is not run again/);
  t.notMatch(world.output(), /schedule fired/, 'the cut-short fire is neither run again nor taken for a missed one');
  const state = JSON.parse(await readFile(join(world.stateDir, 'schedules.json'), 'utf8')) as Record<string, { lastRun?: { outcome?: string } }>;
  t.equal(state.nightly?.lastRun?.outcome, 'interrupted');

  await clock.set('2026-06-02T07:00:03Z');
  await world.line(/scheduled run finished.*outcome=delivered/);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  t.equal(mails.length, 1, 'only the next fire was delivered');
  t.match(world.output(), /schedule fired.*fire_at=2026-06-02T07:00:00.000Z/);
});

t.test('missed: run_once after a stop and a start across a fire time runs once', async (t) => {
  const clock = await testClock(t, '2026-06-01T06:59:00Z');
  const schedules = { nightly: { ...NIGHTLY, missed: 'run_once' } };
  const world = await startGatewayWorld(t, { scenario: 'success', schedules, serveArgs: ['--schedule-clock-file', clock.file] });
  await clock.set('2026-06-01T07:00:03Z');
  await world.line(/scheduled run finished.*outcome=delivered/);
  signalChild(world.child, 'SIGTERM');
  await world.child;

  // Down across two fire times (June 2 and 3).
  await clock.set('2026-06-03T09:00:00Z');
  await world.restart('success');
  await world.line(/fires were missed while the service was down; running once now.*missed=2026-06-03T07:00:00.000Z/);
  await world.line(/scheduled run finished.*outcome=delivered/);
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  t.equal(mails.length, 2, 'one mail for the first fire, one for the missed ones');
  t.equal(world.output().match(/schedule fired/g)?.length, 1, 'one catch-up run, however many fires were missed');
});
