import t from 'tap';
import { replyMessageId } from '../../../../src/core/channels/email/reply-message-id.js';
import { resolveConversation } from '../../../../src/core/channels/email/threading.js';

t.test('the same reply always gets the same Message-ID; different replies never share one', async (t) => {
  const from = 'Airut <airut@corp.test>';
  const ack = replyMessageId('ab12cd34', '<m1@example.com>', 'ack', from);
  t.equal(replyMessageId('ab12cd34', '<m1@example.com>', 'ack', from), ack, 'computed twice, same id');
  t.match(ack, /^<airut\.ab12cd34\.ack\.[0-9a-f]{32}@corp\.test>$/);
  const answer = replyMessageId('ab12cd34', '<m1@example.com>', 'reply', from);
  const ids = [
    ack,
    answer,
    replyMessageId('ab12cd34', '<m2@example.com>', 'reply', from),
    replyMessageId('ab12cd35', '<m1@example.com>', 'reply', from),
  ];
  t.equal(new Set(ids).size, ids.length, 'role, message and conversation each change the id');
  t.equal(replyMessageId('ab12cd34', '<m1@example.com>', 'reply', 'other@corp.test'), answer, 'display name does not matter');
});

t.test('the domain is the sender domain in ASCII; a reply to it finds its conversation', async (t) => {
  t.match(replyMessageId('ab12cd34', '<m@x>', 'reply', 'Bot <bot@Bücher.Example>'), /@xn--bcher-kva\.example>$/);
  t.match(replyMessageId('ab12cd34', '<m@x>', 'reply', 'no address'), /@localhost>$/);
  t.match(replyMessageId('', '<m@x>', 'reply', 'bot@corp.test'), /^<airut\.none\.reply\./, 'an answer outside any conversation');
  const id = replyMessageId('ab12cd34', '<m@x>', 'reply', 'bot@corp.test');
  t.same(await resolveConversation({ inReplyTo: [id], references: [], subject: undefined }, () => undefined), { conversationId: 'ab12cd34', source: 'airut-message-id' });
});
