import t from 'tap';
import { ALICE, GATEWAY, startGatewayWorld } from './gateway-world.js';

t.test('Dovecot restarted while the gateway idles: it reconnects and the next mail is answered', async (t) => {
  const world = await startGatewayWorld(t, { scenario: 'success' });
  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'Before', text: 'First job.' });
  await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  await world.line(/task finished .*reason=success/);

  await world.provider.dovecot.stop();
  await world.line(/IMAP connection failed; retrying/);
  await world.provider.dovecot.start();

  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'After', text: 'Second job.' });
  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 4, 120_000);
  t.same(mails.map((m) => (m.parsed.subject ?? '').replace(/\[ID:[0-9a-f]{8}\]/, '[ID]')), [
    'Re: [ID] Before', 'Re: [ID] Before', 'Re: [ID] After', 'Re: [ID] After',
  ]);
  t.match(mails[3]?.parsed.text, /First answer\./);
  await world.lines(/task finished .*reason=success/, 2);
  t.equal((await world.provider.list(GATEWAY.address)).length, 0, 'the second mail left the inbox too');
  t.equal(world.output().match(/task started/g)?.length, 2);
});
