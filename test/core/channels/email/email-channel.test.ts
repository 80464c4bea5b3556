import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROCESSING_FLAG } from '../../../../src/core/channels/email/index.js';
import { replyMessageId } from '../../../../src/core/channels/email/reply-message-id.js';
import { ALICE, GATEWAY, provider, startChannel, tempDir } from './mail-fixture.js';

t.test('a new mail is handed over with its fields, flagged while it runs, and removed on complete', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);
  t.equal(probe.channel.state().state, 'idle');
  const next = probe.nextMessage();
  await p.send(ALICE, { to: 'airut+opus@corp.test', subject: 'Fix the tests', text: 'Please fix the failing tests.\n' });
  const message = await next;
  t.match(message, {
    channel: 'email',
    repoId: 'repo-one',
    conversationId: undefined,
    sender: ALICE.address,
    subject: 'Fix the tests',
    text: 'Please fix the failing tests.',
    modelHint: 'opus',
    attachments: [],
  });
  t.match(message.messageId, /^<.+@.+>$/);
  const running = await p.list(GATEWAY.address);
  t.equal(running.length, 1, 'the mail stays in the inbox while it runs');
  t.ok(running[0]?.flags.has(PROCESSING_FLAG), 'and is flagged as being processed');

  await probe.channel.complete(message);
  await p.waitFor(GATEWAY.address, (mails) => mails.length === 0);
});

t.test('a reply is threaded: subject tag, In-Reply-To, References, our Message-ID, text and HTML', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'Re: Deploy', text: 'Deploy it.', messageId: '<first@corp.test>', references: '<zero@corp.test>' });
  const message = await next;
  await probe.channel.reply(message, 'ab12cd34', {
    kind: 'result',
    markdown: '**Done.** See <script>x</script> and `code`.',
    attachments: [],
    footer: 'Cost: $0.0100',
  });
  const [reply] = await p.waitFor(ALICE.address, (mails) => mails.length === 1);
  const parsed = reply?.parsed;
  t.equal(parsed?.subject, 'Re: [ID:ab12cd34] Deploy');
  t.equal(parsed?.inReplyTo, '<first@corp.test>');
  t.same(parsed?.references, ['<zero@corp.test>', '<first@corp.test>']);
  t.equal(parsed?.messageId, replyMessageId('ab12cd34', '<first@corp.test>', 'reply', GATEWAY.address), 'derived from conversation, answered message and kind');
  t.match(parsed?.text, /\*\*Done\.\*\*/);
  t.match(parsed?.text, /\*Cost: \$0\.0100\*/);
  t.match(String(parsed?.html), /<strong>Done\.<\/strong>/);
  t.match(String(parsed?.html), /&lt;script&gt;x&lt;\/script&gt;/);
  t.notMatch(String(parsed?.html), /<script>/);
  t.equal(parsed?.headers.get('auto-submitted'), 'auto-replied', 'auto-responders are told not to answer');

  // Alice answers the reply she actually received: it continues the same conversation.
  const followUp = probe.nextMessage();
  await p.send(ALICE, {
    to: GATEWAY.address,
    subject: parsed?.subject ?? '',
    text: 'Now the docs.\n\nOn Mon, Airut wrote:\n> Done.\n',
    inReplyTo: parsed?.messageId ?? '',
    references: [...(parsed?.references as string[]), parsed?.messageId ?? ''],
  });
  const second = await followUp;
  t.equal(second.conversationId, 'ab12cd34');
  t.equal(second.text, 'Now the docs.\n\n[quoted text removed]');

  await probe.channel.reply(second, 'ab12cd34', { kind: 'result', markdown: 'ok', attachments: [] });
  const mails = await p.waitFor(ALICE.address, (m) => m.length === 2);
  t.equal(mails[1]?.parsed.subject, 'Re: [ID:ab12cd34] Deploy', 'no Re: Re:');
});

t.test('acknowledgement and result with files reach a sender whose name holds a comma; only the result counts as an answer', async (t) => {
  const p = await provider(t);
  const stateDir = await tempDir(t);
  const first = await startChannel(t, p, { stateDir });
  const next = first.nextMessage();
  await p.send(ALICE, { from: `"Lovelace, Ada" <${ALICE.address}>`, to: GATEWAY.address, subject: 'Report', text: 'Make a report.' });
  const message = await next;
  t.equal(message.sender, `Lovelace, Ada <${ALICE.address}>`);
  await first.channel.reply(message, 'cafe0001', { kind: 'acknowledgement', markdown: 'Started.', attachments: [] });
  await first.channel.stop();

  // Only acknowledged: a restart hands it over again.
  const second = await startChannel(t, p, { stateDir });
  const again = await second.nextMessage();
  t.equal(again.messageId, message.messageId);
  const outbox = await tempDir(t);
  await writeFile(join(outbox, 'report.csv'), 'a,b\n1,2\n');
  await second.channel.reply(again, 'cafe0001', { kind: 'result', markdown: 'Here it is.', attachments: [{ filename: 'report.csv', path: join(outbox, 'report.csv') }] });
  await second.channel.complete(again);

  const mails = await p.waitFor(ALICE.address, (m) => m.length === 2);
  const [ack, result] = mails.map((m) => m.parsed);
  t.equal(ack?.text?.trim(), 'Started.');
  const to = Array.isArray(result?.to) ? result?.to[0] : result?.to;
  t.same(to?.value.map((v) => v.address), [ALICE.address], 'one recipient, not two');
  t.same(result?.attachments.map((a) => [a.filename, a.content.toString()]), [['report.csv', 'a,b\n1,2\n']]);
  t.equal(result?.inReplyTo, message.messageId);
  t.equal(ack?.messageId, replyMessageId('cafe0001', message.messageId, 'ack', GATEWAY.address));
  t.equal(result?.messageId, replyMessageId('cafe0001', message.messageId, 'reply', GATEWAY.address), 'the same after a restart, different from the acknowledgement');
  await p.waitFor(GATEWAY.address, (m) => m.length === 0);
});
