import t from 'tap';
import { channelMessage, fakeSlack, mentionEvent, startChannel } from './slack-fixture.js';

t.test('a scheduled result opens a thread in the channel, and a mention in that thread continues its conversation', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  await probe.channel.startThread({
    to: 'C1',
    conversationId: 'abcd1234',
    subject: 'Nightly *report*',
    key: 'nightly@2026-06-01T07:00:00.000Z',
    reply: { kind: 'result', markdown: 'Two tests **broke**.', footer: 'Cost: $0.01', attachments: [] },
  });
  const [head, body] = fake.callsOf('chat.postMessage');
  t.match(head?.args, { channel: 'C1', text: '*Nightly report*' });
  t.equal(head?.args['thread_ts'], undefined, 'the head is a new top-level message');
  const ts = await fake.waitForCall('chat.postMessage', (c) => c.args['thread_ts'] !== undefined);
  t.equal(body, ts);
  t.match(ts.args, { channel: 'C1', text: /Two tests \*broke\*\.\n\n_Cost: \$0\.01_/ });
  const threadTs = String(ts.args['thread_ts']);

  const next = probe.nextMessage();
  await fake.sendEvent(mentionEvent(fake, 'fix them', '1800000000.000900', { thread_ts: threadTs }));
  t.equal((await next).conversationId, 'abcd1234', 'the reply in the thread finds the scheduled conversation');

  const later = probe.nextMessage();
  await fake.sendEvent(channelMessage('and the docs', '1800000000.001000', { thread_ts: threadTs }));
  t.equal((await later).conversationId, 'abcd1234');
});

t.test('a failed post is a SLACK_POST_FAILED error naming the target', async (t) => {
  const fake = await fakeSlack(t);
  const probe = await startChannel(t, fake);
  await t.rejects(probe.channel.startThread({ to: 'UNOBODY', conversationId: 'abcd1234', subject: 's', key: 'k', reply: { kind: 'result', markdown: 'x', attachments: [] } }), {
    code: 'SLACK_POST_FAILED',
    message: /could not start a Slack thread in UNOBODY/,
  });
});
