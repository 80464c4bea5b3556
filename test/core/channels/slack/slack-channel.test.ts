import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { GREETING, SlackChannel, WORKING_STATUS } from '../../../../src/core/channels/slack/index.js';
import { Logger } from '../../../../src/core/log/index.js';
import { ADA, GUEST, ROBOT, channelConfig, channelMessage, dmEvent, fakeSlack, mentionEvent, otherServer, startChannel, tempDir } from './slack-fixture.js';

const result = (markdown: string) => ({ kind: 'result' as const, markdown, attachments: [] });

t.test('a new assistant thread gets the greeting and suggested prompts', async (t) => {
  const fake = await fakeSlack(t);
  await startChannel(t, fake);
  await fake.sendEvent({ type: 'assistant_thread_started', assistant_thread: { user_id: ADA.id, channel_id: 'D1', thread_ts: '1.1' } });
  const greeting = await fake.waitForCall('chat.postMessage');
  t.match(greeting.args, { channel: 'D1', thread_ts: '1.1', text: GREETING });
  const prompts = await fake.waitForCall('assistant.threads.setSuggestedPrompts');
  t.ok(Array.isArray(prompts.args['prompts']) && prompts.args['prompts'].length > 0);
});

t.test('DM: status, title, message handed over, reply in the thread; a follow-up maps to the same conversation', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const first = probe.nextMessage();
  await fake.sendEvent(dmEvent('Please **fix** the build\nsecond line', '1700000000.000200'));
  const message = await first;
  t.match(message, { channel: 'slack', repoId: 'demo', conversationId: undefined, sender: 'Ada <UADA>', subject: 'Please **fix** the build', text: 'Please **fix** the build\nsecond line', modelHint: undefined });
  t.match((await fake.waitForCall('assistant.threads.setStatus')).args, { channel_id: 'D1', thread_ts: '1700000000.000100', status: WORKING_STATUS });
  t.match((await fake.waitForCall('assistant.threads.setTitle')).args, { title: 'Please **fix** the build' });

  await probe.channel.reply(message, 'abcd1234', { kind: 'acknowledgement', markdown: "I've started working on this.", attachments: [] });
  await probe.channel.reply(message, 'abcd1234', { ...result('Done: **fixed** it'), footer: 'Cost: $0.01' });
  const posts = fake.callsOf('chat.postMessage');
  t.same(posts.map((p) => p.args['text']), ["I've started working on this.", 'Done: *fixed* it\n\n_Cost: $0.01_']);
  t.ok(posts.every((p) => p.args['thread_ts'] === '1700000000.000100' && p.args['channel'] === 'D1'));
  t.match(fake.callsOf('assistant.threads.setStatus').at(-1)?.args, { status: '' }, 'the status is cleared by the answer');

  const second = probe.nextMessage();
  await fake.sendEvent(dmEvent('and now the docs', '1700000000.000300'));
  t.equal((await second).conversationId, 'abcd1234');
  t.equal(fake.callsOf('assistant.threads.setTitle').length, 1, 'the title comes from the first message only');
  t.same(fake.callsOf('reactions.add'), [], 'no reactions in DMs');
});

t.test('a follow-up sent before the first message has a conversation waits for it instead of starting a second one', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const first = probe.nextMessage();
  await fake.sendEvent(dmEvent('first', '8.1', '8.0'));
  const opening = await first;
  const second = probe.nextMessage();
  await fake.sendEvent(dmEvent('second, quickly', '8.2', '8.0'));
  await probe.logged((r) => r.message === 'follow-up waits for its thread to be mapped');
  t.equal(probe.messages.length, 1, 'held back until the thread is mapped');
  await probe.channel.reply(opening, 'f00d0001', { kind: 'acknowledgement', markdown: 'started', attachments: [] });
  t.equal((await second).conversationId, 'f00d0001');
});

t.test('an empty first message is answered without mapping the thread to a conversation', async (t) => {
  const fake = await fakeSlack(t);
  const stateDir = await tempDir(t);
  const probe = await startChannel(t, fake, { stateDir });
  const first = probe.nextMessage();
  await fake.sendEvent(dmEvent('', '9.1', '9.0'));
  const empty = await first;
  t.equal(empty.subject, undefined, 'an empty DM has no subject, so the gateway answers it as empty');
  await probe.channel.reply(empty, '', { kind: 'error', markdown: 'Your message appears to be empty.', attachments: [] });
  await probe.channel.complete(empty);
  const next = probe.nextMessage();
  await fake.sendEvent(dmEvent('now with text', '9.2', '9.0'));
  t.equal((await next).conversationId, undefined);
});

t.test('channel: mention -> :eyes:, reply in the thread, :white_check_mark:; the thread is sticky afterwards', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const next = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'deploy it', '1700000001.000100'));
  const message = await next;
  t.equal(message.text, 'deploy it');
  t.match((await fake.waitForCall('reactions.add')).args, { channel: 'C1', timestamp: '1700000001.000100', name: 'eyes' });
  t.same(fake.callsOf('assistant.threads.setStatus'), [], 'no assistant status in channels');

  await probe.channel.reply(message, 'cafe0001', result('deployed'));
  t.match(fake.callsOf('chat.postMessage')[0]?.args, { channel: 'C1', thread_ts: '1700000001.000100', text: 'deployed' });
  t.match(fake.callsOf('reactions.remove')[0]?.args, { timestamp: '1700000001.000100', name: 'eyes' });
  t.match(fake.callsOf('reactions.add').at(-1)?.args, { timestamp: '1700000001.000100', name: 'white_check_mark' });

  const sticky = probe.nextMessage();
  await fake.sendEvent(channelMessage('also the docs', '1700000001.000200', { thread_ts: '1700000001.000100' }));
  const followUp = await sticky;
  t.equal(followUp.conversationId, 'cafe0001');
  await probe.channel.reply(followUp, 'cafe0001', { kind: 'error', markdown: 'it broke', attachments: [] });
  t.match(fake.callsOf('reactions.add').at(-1)?.args, { timestamp: '1700000001.000200', name: 'x' });
});

t.test('a mention arriving as app_mention and as message is handled once; unmentioned channel chatter is ignored', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const mention = mentionEvent(fake, 'once please', '1700000002.000100');
  await fake.sendEvent(mention);
  await fake.sendEvent({ ...mention, type: 'message', channel_type: 'channel' });
  await fake.sendEvent(mention);
  await fake.sendEvent(channelMessage('just chatting', '1700000002.000200'));
  // A later, distinct message proves the earlier events were all looked at.
  const marker = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'marker', '1700000002.000300'));
  await marker;
  t.same(probe.messages.map((m) => m.text), ['once please', 'marker']);
});

t.test('bots, edits, other channels and refused users: nothing handed over, nothing posted', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake, { config: { allowed_channels: ['C1'] } });
  await fake.sendEvent({ ...mentionEvent(fake, 'from a bot', '1.1'), bot_id: 'BOTHER' });
  await fake.sendEvent(channelMessage(`<@${fake.botUserId}> edited`, '1.2', { subtype: 'message_changed' }));
  await fake.sendEvent({ ...mentionEvent(fake, 'elsewhere', '1.3'), channel: 'C2' });
  await fake.sendEvent({ ...mentionEvent(fake, 'guest', '1.4'), user: GUEST.id });
  await fake.sendEvent({ ...mentionEvent(fake, 'robot', '1.5'), user: ROBOT.id });
  await fake.sendEvent({ ...mentionEvent(fake, 'stranger', '1.6'), user: 'UNOBODY' });
  const marker = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'marker', '1.7'));
  await marker;
  t.same(probe.messages.map((m) => m.text), ['marker']);
  t.same(probe.rejected.map((r) => r.reason), ['no authorization rule matched', 'bot users are not allowed', 'failed to fetch user info']);
  t.same(fake.callsOf('chat.postMessage'), []);
  t.same(fake.callsOf('reactions.add').map((c) => c.args['timestamp']), ['1.7'], 'only the accepted message gets :eyes:');
});

t.test('an event naming another workspace is refused whatever users.info says; edits are ignored with a logged reason', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const home = fake.teamId;
  // users.info reports Ada in the home workspace for every one of these.
  await fake.sendEvent(mentionEvent(fake, 'user_team', '3.1', { team: home, user_team: 'TOTHER', source_team: home }));
  await fake.sendEvent(mentionEvent(fake, 'source_team', '3.2', { team: home, user_team: home, source_team: 'TOTHER' }));
  await fake.sendEvent(mentionEvent(fake, 'team', '3.3', { team: 'TOTHER' }));
  await fake.sendEvent(mentionEvent(fake, 'odd team value', '3.4', { user_team: { id: home } }));
  await fake.sendEvent(dmEvent('a DM from elsewhere', '3.5', '3.5', ADA.id));
  await fake.sendEvent({ ...dmEvent('a DM from elsewhere', '3.6', '3.6', ADA.id), user_team: 'TOTHER' });
  await fake.sendEvent(mentionEvent(fake, 'edited mention', '3.7', { edited: { user: ADA.id, ts: '3.71' } }));
  await fake.sendEvent({ ...dmEvent('edited DM', '3.8', '3.8', ADA.id), edited: { user: ADA.id, ts: '3.81' } });
  const marker = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'marker', '3.9', { team: home, user_team: home, source_team: home }));
  await marker;
  t.same(probe.messages.map((m) => m.text), ['a DM from elsewhere', 'marker'], 'only the events of the home workspace, unedited, are handed over');
  t.same(probe.rejected.map((r) => r.reason), [
    `the event names workspace TOTHER, not this app's workspace ${home}`,
    `the event names workspace TOTHER, not this app's workspace ${home}`,
    `the event names workspace TOTHER, not this app's workspace ${home}`,
    `the event names workspace {"id":"${home}"}, not this app's workspace ${home}`,
    `the event names workspace TOTHER, not this app's workspace ${home}`,
  ]);
  t.same(probe.rejected.map((r) => r.messageId), ['slack:C1:3.1:3.1', 'slack:C1:3.2:3.2', 'slack:C1:3.3:3.3', 'slack:C1:3.4:3.4', 'slack:D1:3.6:3.6']);
  const edits = probe.logs.filter((l) => l.message === 'Slack edit ignored');
  t.same(edits.map((l) => [l.fields.message_id, l.fields.reason]), [
    ['slack:C1:3.7:3.7', 'edited messages are not new instructions'],
    ['slack:D1:3.8:3.8', 'edited messages are not new instructions'],
  ]);
  t.same(fake.callsOf('reactions.add').map((c) => c.args['timestamp']), ['3.9'], 'only the accepted mention gets :eyes:');
});

t.test('authorization by user id and user group; guests allowed by id', async (t) => {
  const fake = await fakeSlack(t, { groups: { oncall: [ADA.id] } });
  const probe = await startChannel(t, fake, { config: { authorized: [{ user_group: 'oncall' }, { user_id: GUEST.id }] } });
  const first = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'from the group', '2.1'));
  await first;
  const second = probe.nextMessage();
  await fake.sendEvent({ ...mentionEvent(fake, 'from the guest', '2.2'), user: GUEST.id });
  await second;
  t.same(probe.messages.map((m) => m.sender), ['Ada <UADA>', 'Gus <UGUEST>']);
});

t.test('a mention in the middle of a thread replays its earlier messages', async (t) => {
  const fake = await fakeSlack(t);
  fake.threads.set('C1:3.0', [
    { user: ADA.id, text: 'the login page is broken', ts: '3.0' },
    { user: GUEST.id, text: 'see the log', ts: '3.1', subtype: 'file_share', files: [fake.attachFile('log.txt', 'ERROR at line 3')] },
    { bot_id: 'BX', text: 'bot noise', ts: '3.2' },
    { user: ADA.id, text: `<@${fake.botUserId}> can you fix it?`, ts: '3.3' },
  ]);
  const probe = await startChannel(t, fake);
  const next = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'can you fix it?', '3.3', { thread_ts: '3.0' }));
  const message = await next;
  t.match(message.text, /existing Slack thread/);
  t.match(message.text, /\[Ada\]: the login page is broken\n\[Gus\]: see the log \[attached: log.txt\]\n/);
  t.notMatch(message.text, /bot noise/);
  t.match(message.text, /can you fix it\?$/);
  t.same(message.attachments.map((a) => [a.filename, a.content.toString()]), [['log.txt', 'ERROR at line 3']], 'files of the replayed thread are fetched too');
});

t.test('a 100,000-character answer is split; a much longer one goes up as response.md', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const next = probe.nextMessage();
  await fake.sendEvent(dmEvent('long please', '4.1', '4.0'));
  const message = await next;
  const paragraph = `${'word '.repeat(199)}words`;
  const long = Array.from({ length: 100 }, () => paragraph).join('\n\n');
  t.equal(long.length, 100_198);
  await probe.channel.reply(message, 'feed0001', result(long));
  const posts = fake.callsOf('chat.postMessage').map((p) => String(p.args['text']));
  t.equal(posts.length, 3);
  t.ok(posts.every((p) => p.length <= 40_000 && !p.startsWith('\n')));
  t.equal(posts.join('\n\n'), long, 'cut only at paragraph breaks, nothing lost');

  const huge = Array.from({ length: 600 }, () => paragraph).join('\n\n');
  await probe.channel.reply(message, 'feed0001', result(huge));
  t.equal(fake.callsOf('chat.postMessage').length, 3, 'no further posts');
  t.match(fake.uploads[0], { filename: 'response.md', title: 'Response', channel: 'D1', threadTs: '4.0' });
  t.equal(fake.uploads[0]?.content.toString(), huge);
});

t.test('outbox files are uploaded to the thread; a rate-limited post is retried after Retry-After', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'report.csv'), 'a,b\n1,2\n');
  const next = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'make a report', '5.1'));
  const message = await next;
  fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
  await probe.channel.reply(message, 'beef0001', { ...result('here you go'), attachments: [{ filename: 'report.csv', path: join(dir, 'report.csv') }] });
  const posts = fake.callsOf('chat.postMessage');
  t.equal(posts.length, 2, 'one refused with 429, one accepted');
  t.match(fake.uploads, [{ filename: 'report.csv', channel: 'C1', threadTs: '5.1' }]);
  t.equal(fake.uploads[0]?.content.toString(), 'a,b\n1,2\n');
});

t.test('the WebSocket dropped mid-task: the client reconnects, the reply arrives and new events still come', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  const next = probe.nextMessage();
  await fake.sendEvent(dmEvent('long task', '6.1', '6.0'));
  const message = await next;
  fake.dropConnections();
  await fake.waitForConnection(2);
  await probe.channel.reply(message, 'dead0001', result('finished anyway'));
  t.match(fake.callsOf('chat.postMessage')[0]?.args, { text: 'finished anyway', thread_ts: '6.0' });
  const after = probe.nextMessage();
  fake.askToReconnect();
  await fake.waitForConnection(3);
  await fake.sendEvent(dmEvent('and another', '6.2', '6.0'));
  t.equal((await after).conversationId, 'dead0001');
  t.equal(probe.channel.state().state, 'connected');
});

t.test('after a restart an existing thread still maps to its conversation', async (t) => {
  const fake = await fakeSlack(t);
  const stateDir = await tempDir(t);
  const before = await startChannel(t, fake, { stateDir });
  const next = before.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'start', '7.1'));
  await before.channel.reply(await next, 'aaaa0001', result('ok'));
  await before.channel.stop();

  const after = await startChannel(t, fake, { stateDir });
  const followUp = after.nextMessage();
  await fake.sendEvent(channelMessage('continue without a mention', '7.2', { thread_ts: '7.1' }));
  t.equal((await followUp).conversationId, 'aaaa0001');
});

t.test('rejected tokens: a clear error for this repo, with a hint naming the key', async (t) => {
  const fake = await fakeSlack(t);
  const make = (botToken: string, appToken: string) => new SlackChannel({
    repoId: 'demo',
    config: { ...channelConfig(fake), bot_token: botToken, app_token: appToken },
    stateDir: '/nonexistent-never-used',
    logger: new Logger(() => undefined),
    retryConfig: { retries: 0 },
  });
  const badBot = make('xoxb-wrong', fake.appToken);
  await t.rejects(badBot.start(async () => undefined), { code: 'SLACK_AUTH_FAILED', hint: /repos\.demo\.slack\.bot_token/ });
  t.equal(badBot.state().state, 'failed');
  await t.rejects(make(fake.botToken, 'xapp-wrong').start(async () => undefined), { code: 'SLACK_CONNECT_FAILED', hint: /repos\.demo\.slack\.app_token/ });
  t.equal(fake.connections, 0, 'no WebSocket was opened');
});

t.test('files attached in Slack are fetched with the bot token; each one that cannot be is named in the text', async (t) => {
  const fake = await fakeSlack(t);
  // Another local server stands for any host that is not Slack's: it must never see a request.
  const elsewhere = await otherServer(t);
  const probe = await startChannel(t, fake, { config: { max_attachment_bytes: 64 } });
  const report = fake.attachFile('report.csv', 'a,b\n1,2\n', 'text/csv');
  const deleted = fake.attachFile('gone.txt', 'x');
  fake.files.delete(String(deleted['id']));
  const big = fake.attachFile('big.log', 'y'.repeat(100));
  const foreign = { ...fake.attachFile('trap.txt', 'z'), url_private_download: `${elsewhere.url}/trap.txt` };
  const { url_private: _a, url_private_download: _b, ...bare } = fake.attachFile('notes.md', '# notes');
  const next = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'look at these', '11.1', { files: [report, deleted, big, foreign, bare] }));
  const message = await next;
  t.same(message.attachments.map((a) => [a.filename, a.contentType, a.content.toString()]), [
    ['report.csv', 'text/csv', 'a,b\n1,2\n'],
    ['notes.md', 'text/plain', '# notes'],
  ], 'a file without URLs in the event is looked up with files.info');
  t.match(message.text, /^look at these\n\n\[Files attached in Slack that could not be fetched: gone\.txt \(Slack answered HTTP 404\); big\.log \(100 bytes, over the 64-byte limit\); trap\.txt \(not on Slack's file host: 127\.0\.0\.1:\d+\)\]$/);
  t.ok(fake.downloads.length === 3 && fake.downloads.every((d) => d.token === fake.botToken), 'only Slack got the bot token');
  t.equal(elsewhere.requests(), 0);
  t.ok(probe.logs.some((l) => l.message === 'Slack file not fetched' && /gone\.txt/.test(String(l.fields.file))));
});
