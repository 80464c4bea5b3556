import t from 'tap';
import { createMessageId, messageIdTokens, replySubject, resolveConversation } from '../../../../src/core/channels/email/threading.js';

t.test('our Message-IDs carry the conversation and the From domain', async (t) => {
  t.equal(createMessageId('ab12cd34', 'Airut <airut@corp.test>', new Date(1_700_000_000_500), 'deadbeef'), '<airut.ab12cd34.1700000000.deadbeef@corp.test>');
  t.equal(createMessageId('ab12cd34', 'airut', new Date(0), '00000000'), '<airut.ab12cd34.0.00000000@localhost>');
  t.same(messageIdTokens(' <a@x>\r\n <b@y> junk'), ['<a@x>', '<b@y>']);
});

t.test('conversation: known ids, then our id format, then the subject tag', async (t) => {
  const known = new Map([['<sent@corp.test>', 'feedf00d']]);
  const lookup = (id: string): string | undefined => known.get(id);
  t.same(resolveConversation({ inReplyTo: ['<sent@corp.test>'], references: [], subject: 'Re: [ID:12345678] x' }, lookup), { conversationId: 'feedf00d', source: 'known-message-id' });
  t.same(resolveConversation({ inReplyTo: [], references: ['<airut.aaaaaaaa.1.x@c>', '<airut.bbbbbbbb.2.y@c>'], subject: undefined }, lookup), { conversationId: 'bbbbbbbb', source: 'airut-message-id' }, 'newest reference first');
  t.same(resolveConversation({ inReplyTo: [], references: [], subject: 'Fwd: [ID:0a1b2c3d] x' }, lookup), { conversationId: '0a1b2c3d', source: 'subject-tag' });
  t.equal(resolveConversation({ inReplyTo: [], references: [], subject: '[ID:0A1B2C3D] x' }, lookup), undefined, 'upper-case hex is not a tag');
  t.equal(resolveConversation({ inReplyTo: ['<other@x>'], references: [], subject: 'hello' }, lookup), undefined);
});

t.test('reply subjects never stack Re: and carry the tag once', async (t) => {
  t.equal(replySubject('Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] Fix it');
  t.equal(replySubject('RE: re: Aw: Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] Fix it');
  t.equal(replySubject('Re: [ID:ab12cd34] Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] Fix it');
  t.equal(replySubject('Re: [ID:00000000] Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] [ID:00000000] Fix it', 'a stale tag stays after the new one');
  t.equal(replySubject(undefined, 'ab12cd34'), 'Re: [ID:ab12cd34]');
});
