/**
 * A schedule delivered by Slack through the whole product: the real `airut
 * serve` with its clock in a file, podman and the fake claude, against the
 * fake Slack. `deliver.to` a user id opens the bot's DM with them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ADA, dmEvent } from '../core/channels/slack/slack-fixture.js';
import { inThread, SESSION, startSlackWorld, text } from './slack-world.js';

t.test('a schedule with deliver.to a user id opens a DM, posts its answer in a new thread there, and a reply in that thread resumes the session', { timeout: 600_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-clock-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const clock = join(dir, 'now');
  await writeFile(clock, '2026-06-01T06:59:00Z');
  const schedules = { nightly: { cron: '0 7 * * *', timezone: 'UTC', subject: 'Nightly report', prompt: 'Check the nightly build.', deliver: { to: ADA.id, channel: 'slack' } } };
  const world = await startSlackWorld(t, { schedules, serveArgs: ['--schedule-clock-file', clock] });
  const { fake } = world;
  await world.line(/schedule armed.*schedule=nightly/);
  await writeFile(clock, '2026-06-01T07:00:03Z');
  await world.line(/scheduled run finished.*outcome=delivered/);

  const opened = await fake.waitForCall('conversations.open');
  t.equal(opened.args['users'], ADA.id, 'the DM with the user of deliver.to');
  const dm = fake.directChannelOf(ADA.id);
  const head = fake.callsOf('chat.postMessage').find((c) => c.args['channel'] === dm && c.args['thread_ts'] === undefined);
  t.equal(head === undefined ? undefined : text(head), '*Nightly report*', 'a new top-level message headed by the subject');
  const answer = await fake.waitForCall('chat.postMessage', (c) => c.args['channel'] === dm && c.args['thread_ts'] !== undefined);
  const threadTs = String(answer.args['thread_ts']);
  t.match(text(answer), /First answer\.\s+Second answer\./, 'the answer in its thread');
  t.equal(fake.calls.filter((c) => c.method === 'chat.postMessage' && /started working on this/.test(text(c))).length, 0, 'no acknowledgement for a scheduled run');
  const conversation = await world.conversationOf(dm, threadTs) ?? '';
  t.match(conversation, /^[0-9a-f]{8}$/, 'the new thread is mapped to the scheduled conversation');
  t.match(await readFile(join(world.fakeClaudeDir(conversation), 'stdin'), 'utf8'), /Check the nightly build\./);

  // Ada answers in that DM thread: the same conversation, the same Claude session.
  await fake.sendEvent({ ...dmEvent('What broke exactly?\nfake-claude: success', '1780297300.000100', threadTs), channel: dm });
  await fake.waitForCall('chat.postMessage', (c) => inThread(dm, threadTs)(c) && c !== answer && /First answer/.test(text(c)));
  t.equal(await world.conversationOf(dm, threadTs), conversation, 'still the scheduled conversation');
  const argv = await readFile(join(world.fakeClaudeDir(conversation), 'argv'), 'utf8');
  t.match(argv, new RegExp(`--resume\\n${SESSION}`), 'the reply resumed the scheduled session');
  t.match(await readFile(join(world.fakeClaudeDir(conversation), 'stdin'), 'utf8'), /What broke exactly\?/);
  t.equal(fake.calls.filter((c) => c.method === 'chat.postMessage' && /started working on this/.test(text(c))).length, 0, 'a continued conversation is not acknowledged');
});
