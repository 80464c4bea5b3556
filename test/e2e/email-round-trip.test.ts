import { readFile } from 'node:fs/promises';
import { signalChild } from '../harness/signal-child.js';
import { join } from 'node:path';
import t from 'tap';
import { ALICE, GATEWAY, startGatewayWorld } from './gateway-world.js';

t.test('new email: acknowledgement and reply threaded; a reply to that reply resumes the session', async (t) => {
  const world = await startGatewayWorld(t, { scenario: 'success' });
  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'Tidy the README', text: 'Please tidy the README.', messageId: '<first@corp.test>' });

  const mails = await world.provider.waitFor(ALICE.address, (m) => m.length >= 2, 120_000);
  const [ack, reply] = mails;
  const id = /\[ID:([0-9a-f]{8})\]/.exec(reply?.parsed.subject ?? '')?.[1] ?? '';
  t.match(id, /^[0-9a-f]{8}$/);
  t.equal(ack?.parsed.subject, `Re: [ID:${id}] Tidy the README`);
  t.match(ack?.parsed.text, /started working on this/);
  t.equal(reply?.parsed.inReplyTo, '<first@corp.test>', 'threaded under the user mail');
  t.match(reply?.parsed.text, /First answer\.\s+Second answer\./);
  t.equal(await world.provider.list(GATEWAY.address).then((m) => m.length), 0, 'the handled mail left the inbox');

  await world.provider.send(ALICE, {
    from: ALICE.address,
    to: GATEWAY.address,
    subject: `Re: ${reply?.parsed.subject ?? ''}`,
    text: 'Now the changelog.',
    inReplyTo: reply?.parsed.messageId,
    references: [ '<first@corp.test>', reply?.parsed.messageId ?? '' ],
  });
  const after = await world.provider.waitFor(ALICE.address, (m) => m.length >= 3, 120_000);
  t.equal(after.length, 3, 'no second acknowledgement for a continued conversation');
  t.match(after[2]?.parsed.subject, `[ID:${id}]`);
  const argv = await readFile(join(world.stateDir, 'conversations', id, 'claude', 'fake', 'argv'), 'utf8');
  t.match(argv, /--resume\n11111111-2222-3333-4444-555555555555/, 'the second run resumed the session');
  t.match(argv, /--model\nsonnet/);
  const stdin = await readFile(join(world.stateDir, 'conversations', id, 'claude', 'fake', 'stdin'), 'utf8');
  t.match(stdin, /Now the changelog\./);
  const record = JSON.parse(await readFile(join(world.stateDir, 'conversations', id, 'conversation.json'), 'utf8'));
  t.equal(record.replies.length, 2);
});

t.test('SIGTERM with a running task: interrupted after the shutdown timeout, reply says so, exit 0', async (t) => {
  const world = await startGatewayWorld(t, { scenario: 'wait', shutdownTimeout: 2 });
  await world.provider.send(ALICE, { from: ALICE.address, to: GATEWAY.address, subject: 'Long job', text: 'Take your time.' });
  await world.provider.waitFor(ALICE.address, (m) => m.length >= 1, 120_000);
  await world.line(/phase|task started/);
  // Not child.kill(): execa would follow up with SIGKILL after 5 s.
  signalChild(world.child, 'SIGTERM');
  const result = await world.child;
  t.equal(result.exitCode, 0, `signal ${String(result.signal)} stderr ${String(result.stderr)}`);
  const mails = await world.provider.list(ALICE.address);
  t.equal(mails.length, 2);
  t.match(mails[1]?.parsed.text, /interrupted because the Airut service was shut down/);
  t.match(world.output(), /tasks still running at the shutdown timeout/);
});
