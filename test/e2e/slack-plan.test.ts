/**
 * Claude's plan in Slack through the whole product: the real `airut serve`,
 * podman and the fake claude writing TodoWrite lists, against the fake Slack.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { FakeSlackCall } from '../harness/fake-slack/index.js';
import { mentionEvent } from '../core/channels/slack/slack-fixture.js';
import { fileAppears, inThread, startSlackWorld, text } from './slack-world.js';

t.test('TodoWrite lists become one plan message in the thread, updated in order, throttled, and final before the answer', { timeout: 600_000 }, async (t) => {
  const world = await startSlackWorld(t);
  const { fake } = world;
  const thread = '1800000200.000100';
  await fake.sendEvent(mentionEvent(fake, 'Fix the bug\nfake-claude: plan', thread));
  const isPlanPost = (c: FakeSlackCall): boolean => inThread('C1', thread)(c) && text(c).startsWith('*Plan*');
  // Claude wrote three lists at once: the message shows the latest of them.
  const post = await fake.waitForCall('chat.postMessage', isPlanPost);
  t.equal(text(post), '*Plan*\n✅  Reproduce the bug\n⚪  Fix it', 'the first message shows the latest list');
  const conversation = await world.conversationOf('C1', thread) ?? '';
  t.match(conversation, /^[0-9a-f]{8}$/);
  const fakeClaude = world.fakeClaudeDir(conversation);
  await fileAppears(join(fakeClaude, 'started'));
  await writeFile(join(fakeClaude, 'next'), '');
  await fake.waitForCall('chat.update', (c) => text(c) === '*Plan*\n✅  Reproduce the bug\n🔄  Fixing it');
  await writeFile(join(fakeClaude, 'next'), '');
  const final = await fake.waitForCall('chat.update', (c) => text(c).startsWith('*Plan* (done)'));
  t.equal(text(final), '*Plan* (done)\n✅  Reproduce the bug\n✅  Fix it');
  const answer = await fake.waitForCall('chat.postMessage', (c) => inThread('C1', thread)(c) && /Fixed\./.test(text(c)));
  t.ok(fake.calls.indexOf(final) < fake.calls.indexOf(answer), 'the plan shows its final state before the answer is posted');

  const updates = fake.callsOf('chat.update');
  t.ok(updates.every((u) => u.args['channel'] === 'C1' && u.args['ts'] === updates[0]?.args['ts']), 'every update edits the one plan message');
  t.equal(fake.calls.filter(isPlanPost).length, 1, 'one plan message');
  const shown = [post, ...updates].map(text);
  t.notOk(shown.some((s) => s.includes('⚪  Reproduce the bug') || s.includes('🔄  Reproducing the bug')), 'the lists superseded at once were never sent');
  t.same(shown.slice(0, 2), ['*Plan*\n✅  Reproduce the bug\n⚪  Fix it', '*Plan*\n✅  Reproduce the bug\n🔄  Fixing it'], 'in the order Claude wrote them');
  t.ok(shown.length <= 4, `one call per list that had its own second, plus the final state (${shown.length} calls for 5 lists)`);
  await fake.waitForCall('reactions.add', (c) => c.args['timestamp'] === thread && c.args['name'] === 'white_check_mark');
});
