/**
 * The Slack channel through the whole product (see slack-world.ts).
 * Scenarios share one service (and one restart) to keep the number of
 * container runs small.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { GREETING, WORKING_STATUS } from '../../src/core/channels/slack/index.js';
import { ADA, channelMessage, dmEvent, mentionEvent } from '../core/channels/slack/slack-fixture.js';
import { fileAppears, inThread, SESSION, startSlackWorld, text } from './slack-world.js';

t.test('airut serve against the fake Slack: DMs with files, resumed sessions, channel mentions across a dropped socket and a restart', { timeout: 1_200_000 }, async (t) => {
  const world = await startSlackWorld(t, { revoked: true });
  const { fake } = world;
  t.match(await world.line(/repo failed to start repo=revoked/), /bot token/, 'the repo with a refused token is reported by name');
  t.match(await world.line(/service ready/), /repos=1 failed=1/, 'the other repo keeps running');

  // DM: greeting, then a message with a file -> status, title, acknowledgement, answer that saw /inbox, outbox upload.
  const dm = '1800000000.000100';
  await fake.sendEvent({ type: 'assistant_thread_started', assistant_thread: { user_id: ADA.id, channel_id: 'D1', thread_ts: dm } });
  await fake.waitForCall('chat.postMessage', (c) => text(c) === GREETING);
  const notes = fake.attachFile('notes.txt', 'remember the milk\n');
  const gone = fake.attachFile('gone.txt', 'deleted before the download');
  fake.files.delete(String(gone['id']));
  await fake.sendEvent({ ...dmEvent('Summarise my notes\nfake-claude: files report.txt', '1800000000.000200', dm), subtype: 'file_share', files: [notes, gone] });
  const answer = await fake.waitForCall('chat.postMessage', (c) => inThread('D1', dm)(c) && /Inbox:/.test(text(c)));
  t.match(text(answer), /Inbox: notes\.txt/, 'the fake claude found the Slack file in /inbox');
  t.match(fake.callsOf('assistant.threads.setStatus')[0]?.args, { channel_id: 'D1', thread_ts: dm, status: WORKING_STATUS });
  t.match(fake.callsOf('assistant.threads.setTitle')[0]?.args, { channel_id: 'D1', thread_ts: dm, title: 'Summarise my notes' });
  const dmPosts = fake.callsOf('chat.postMessage').filter(inThread('D1', dm)).map(text);
  t.equal(dmPosts.length, 3, 'greeting, acknowledgement, answer');
  t.match(dmPosts[1], /started working on this/);
  t.ok(fake.downloads.length === 2 && fake.downloads.every((d) => d.token === fake.botToken), 'each file was asked for once, with the bot token');
  await fake.waitForCall('files.completeUploadExternal');
  t.match(fake.uploads, [{ filename: 'report.txt', channel: 'D1', threadTs: dm }]);
  t.equal(fake.uploads[0]?.content.toString(), 'made by fake claude\n');
  await fake.waitForCall('assistant.threads.setStatus', (c) => c.args['status'] === '');
  const dmConversation = await world.conversationOf('D1', dm) ?? '';
  t.match(dmConversation, /^[0-9a-f]{8}$/);
  const dmDir = join(world.repoStateDir, 'conversations', dmConversation);
  t.equal(await readFile(join(dmDir, 'inbox', 'notes.txt'), 'utf8'), 'remember the milk\n');
  const firstPrompt = await readFile(join(dmDir, 'claude', 'fake', 'runs', '1.stdin'), 'utf8');
  t.match(firstPrompt, /saved in \/inbox\/: notes\.txt\./, 'the prompt lists the fetched file');
  t.match(firstPrompt, /could not be fetched: gone\.txt \(Slack answered HTTP 404\)/, 'and names the one that could not be fetched');

  // A follow-up in the DM thread continues the same Claude session.
  await fake.sendEvent(dmEvent('Now the docs\nfake-claude: success', '1800000000.000300', dm));
  await fake.waitForCall('chat.postMessage', (c) => inThread('D1', dm)(c) && /Second answer/.test(text(c)));
  t.equal(fake.callsOf('chat.postMessage').filter(inThread('D1', dm)).length, 4, 'no second acknowledgement');
  const argv = await readFile(join(dmDir, 'claude', 'fake', 'argv'), 'utf8');
  t.match(argv, new RegExp(`--resume\\n${SESSION}`), 'the second run resumed the session of the first');
  t.match(await readFile(join(dmDir, 'claude', 'fake', 'stdin'), 'utf8'), /Now the docs/);

  // Channel mention -> :eyes:; the WebSocket drops while the task runs; the answer still arrives, then :white_check_mark:.
  const thread = '1800000100.000100';
  await fake.sendEvent(mentionEvent(fake, 'Run the slow job\nfake-claude: until-released', thread));
  await fake.waitForCall('reactions.add', (c) => c.args['timestamp'] === thread && c.args['name'] === 'eyes');
  await fake.waitForCall('chat.postMessage', (c) => inThread('C1', thread)(c) && /started working on this/.test(text(c)));
  const channelConversation = await world.conversationOf('C1', thread) ?? '';
  t.match(channelConversation, /^[0-9a-f]{8}$/);
  t.not(channelConversation, dmConversation);
  const marker = join(world.repoStateDir, 'conversations', channelConversation, 'claude', 'fake');
  await fileAppears(join(marker, 'started'));
  const connections = fake.connections;
  fake.dropConnections();
  await fake.waitForConnection(connections + 1);
  await writeFile(join(marker, 'release'), '');
  const done = await fake.waitForCall('chat.postMessage', (c) => inThread('C1', thread)(c) && /Run 1 done/.test(text(c)));
  t.ok(done, 'the answer arrived after the reconnect');
  await fake.waitForCall('reactions.add', (c) => c.args['timestamp'] === thread && c.args['name'] === 'white_check_mark');
  t.ok(fake.callsOf('reactions.remove').some((c) => c.args['timestamp'] === thread && c.args['name'] === 'eyes'), ':eyes: removed');
  t.same(fake.callsOf('assistant.threads.setStatus').filter((c) => c.args['channel_id'] === 'C1'), [], 'no assistant status in channels');

  // After a restart the channel thread still maps to its conversation: a message without a mention is taken and resumes it.
  await world.restart();
  const later = '1800000100.000300';
  await fake.sendEvent(channelMessage('One more thing\nfake-claude: success', later, { thread_ts: thread }));
  await fake.waitForCall('chat.postMessage', (c) => inThread('C1', thread)(c) && /Second answer/.test(text(c)));
  await fake.waitForCall('reactions.add', (c) => c.args['timestamp'] === later && c.args['name'] === 'white_check_mark');
  t.equal(fake.callsOf('chat.postMessage').filter((c) => inThread('C1', thread)(c) && /started working on this/.test(text(c))).length, 1, 'no second acknowledgement after the restart');
  t.match(await readFile(join(marker, 'stdin'), 'utf8'), /One more thing/, 'the same conversation got the message');
  t.match(await readFile(join(marker, 'argv'), 'utf8'), new RegExp(`--resume\\n${SESSION}`));
  t.same((await readdir(join(world.repoStateDir, 'conversations'))).sort(), [channelConversation, dmConversation].sort(), 'two threads, two conversations');
});
