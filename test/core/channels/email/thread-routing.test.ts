import t from 'tap';
import { ALICE, GATEWAY, provider, startChannel } from './mail-fixture.js';

t.test('a reply to another repo\'s mail that carries this repo\'s subject tag continues this repo\'s conversation', async (t) => {
  const p = await provider(t);
  const ours = new Set(['eae9f7f3']);
  const asked: string[] = [];
  const probe = await startChannel(t, p, {
    extra: {
      conversationExists: async (id) => {
        asked.push(id);
        return Promise.resolve(ours.has(id));
      },
    },
  });
  const foreign = '<airut.1fcf4efa.1700000000.0a0b0c0d@other-repo.test>';

  const first = probe.nextMessage();
  await p.send(ALICE, {
    to: GATEWAY.address,
    subject: 'Re: [ID:1fcf4efa] [ID:eae9f7f3] the build',
    text: 'and this too',
    inReplyTo: foreign,
    references: [foreign],
  });
  const message = await first;
  t.equal(message.conversationId, 'eae9f7f3', 'the tag of this repo wins over the foreign In-Reply-To');
  t.same(asked, ['1fcf4efa', 'eae9f7f3'], 'the foreign id was asked about (once) and refused first');
  const accepted = probe.logs.find((l) => l.message === 'mail accepted');
  t.match(accepted?.fields, { conversation: 'eae9f7f3', found_by: 'subject-tag' });

  const second = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'Re: [ID:0badf00d] unknown', text: 'x', inReplyTo: foreign });
  t.equal((await second).conversationId, '1fcf4efa', 'nothing of ours: the first candidate goes on, for the gateway to start anew');
});
