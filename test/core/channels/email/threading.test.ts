import t from 'tap';
import { createMessageId, messageIdTokens, replySubject, resolveConversation, subjectTags } from '../../../../src/core/channels/email/threading.js';

t.test('our Message-IDs carry the conversation and the From domain', async (t) => {
  t.equal(createMessageId('ab12cd34', 'Airut <airut@corp.test>', new Date(1_700_000_000_500), 'deadbeef'), '<airut.ab12cd34.1700000000.deadbeef@corp.test>');
  t.equal(createMessageId('ab12cd34', 'airut', new Date(0), '00000000'), '<airut.ab12cd34.0.00000000@localhost>');
  t.same(messageIdTokens(' <a@x>\r\n <b@y> junk'), ['<a@x>', '<b@y>']);
});

t.test('conversation: known ids, then our id format, then the subject tag', async (t) => {
  const known = new Map([['<sent@corp.test>', 'feedf00d']]);
  const lookup = (id: string): string | undefined => known.get(id);
  t.same(await resolveConversation({ inReplyTo: ['<sent@corp.test>'], references: [], subject: 'Re: [ID:12345678] x' }, lookup), { conversationId: 'feedf00d', source: 'known-message-id' });
  t.same(await resolveConversation({ inReplyTo: [], references: ['<airut.aaaaaaaa.1.x@c>', '<airut.bbbbbbbb.2.y@c>'], subject: undefined }, lookup), { conversationId: 'bbbbbbbb', source: 'airut-message-id' }, 'newest reference first');
  t.same(await resolveConversation({ inReplyTo: [], references: [], subject: 'Fwd: [ID:0a1b2c3d] x' }, lookup), { conversationId: '0a1b2c3d', source: 'subject-tag' });
  t.equal(await resolveConversation({ inReplyTo: [], references: [], subject: '[ID:0A1B2C3D] x' }, lookup), undefined, 'upper-case hex is not a tag');
  t.equal(await resolveConversation({ inReplyTo: ['<other@x>'], references: [], subject: 'hello' }, lookup), undefined);
});

t.test('conversation: an id of another repo never hides a tag of this one', async (t) => {
  const ours = new Set(['eae9f7f3', 'cafe0001']);
  const isOurs = async (id: string): Promise<boolean> => Promise.resolve(ours.has(id));
  const none = (): undefined => undefined;
  const foreignReply = '<airut.1fcf4efa.1700000000.abcd@other.test>';
  t.same(
    await resolveConversation({ inReplyTo: [foreignReply], references: [foreignReply], subject: 'Re: [ID:eae9f7f3] fix' }, none, isOurs),
    { conversationId: 'eae9f7f3', source: 'subject-tag' },
    'In-Reply-To of another repo, tag of ours: the tag wins',
  );
  t.same(
    await resolveConversation({ inReplyTo: ['<airut.cafe0001.1.x@corp.test>'], references: [], subject: 'Re: [ID:eae9f7f3] fix' }, none, isOurs),
    { conversationId: 'cafe0001', source: 'airut-message-id' },
    'both ours: the header still wins over the tag',
  );
  t.same(
    await resolveConversation({ inReplyTo: [foreignReply], references: ['<airut.cafe0001.1.x@corp.test>', foreignReply], subject: 'x' }, none, isOurs),
    { conversationId: 'cafe0001', source: 'airut-message-id' },
    'an older reference of ours beats the newest foreign one',
  );
  t.same(
    await resolveConversation({ inReplyTo: [], references: [], subject: 'Re: [ID:1fcf4efa] [ID:eae9f7f3] fix' }, none, isOurs),
    { conversationId: 'eae9f7f3', source: 'subject-tag' },
    'the first tag of ours among several',
  );
  t.same(
    await resolveConversation({ inReplyTo: [foreignReply], references: [], subject: 'Re: [ID:0badf00d] fix' }, none, isOurs),
    { conversationId: '1fcf4efa', source: 'airut-message-id' },
    'nothing ours: the first candidate, which the gateway does not have and so starts anew',
  );
  t.same(subjectTags('[ID:aaaaaaaa] [ID:bbbbbbbb] [ID:CCCCCCCC]'), ['aaaaaaaa', 'bbbbbbbb']);
});

t.test('reply subjects never stack Re: and carry only the tag of their conversation', async (t) => {
  t.equal(replySubject('Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] Fix it');
  t.equal(replySubject('RE: re: Aw: Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] Fix it');
  t.equal(replySubject('Re: [ID:ab12cd34] Fix it', 'ab12cd34'), 'Re: [ID:ab12cd34] Fix it');
  t.equal(replySubject('Re: [ID:1fcf4efa] Fix it', 'eae9f7f3'), 'Re: [ID:eae9f7f3] Fix it', 'a foreign or stale tag is dropped');
  t.equal(replySubject('Re: [ID:eae9f7f3] [ID:1fcf4efa] Fix it', 'eae9f7f3'), 'Re: [ID:eae9f7f3] Fix it');
  t.equal(replySubject('Fwd: Re: [ID:1fcf4efa] Fix [ID:eae9f7f3] it', 'eae9f7f3'), 'Re: [ID:eae9f7f3] Fwd: Re: Fix it');
  t.equal(replySubject('[ID:1fcf4efa]', 'eae9f7f3'), 'Re: [ID:eae9f7f3]');
  t.equal(replySubject(undefined, 'ab12cd34'), 'Re: [ID:ab12cd34]');
});
