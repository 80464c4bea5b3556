import t from 'tap';
import type { Test } from 'tap';
import type { IncomingMessage } from '../../../../src/core/channels/index.js';
import { EmailChannel } from '../../../../src/core/channels/email/index.js';
import { Logger } from '../../../../src/core/log/index.js';
import { ALICE, GATEWAY, emailConfig, provider, startChannel, tempDir } from './mail-fixture.js';

t.test('an HTML-only mail becomes text with the quoted history removed', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);
  const next = probe.nextMessage();
  await p.send(ALICE, {
    to: GATEWAY.address,
    subject: 'html',
    html: '<div dir="ltr"><p>Run <b>the</b> build &amp; report</p><ul><li>one</li><li>two</li></ul></div>'
      + '<div class="gmail_quote"><div>On Mon, Airut wrote:</div><blockquote>old text</blockquote></div>',
  });
  const message = await next;
  t.equal(message.text, 'Run **the** build & report\n\n- one\n- two\n\n[quoted text removed]');
});

t.test('attachments arrive with safe, unique names; oversized ones are left out and logged', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p, { config: { max_attachment_bytes: 1024 } });
  const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
  const next = probe.nextMessage();
  await p.send(ALICE, {
    to: GATEWAY.address,
    subject: 'files',
    text: 'see attached',
    attachments: [
      { filename: '../../etc/passwd', content: 'root:x:0:0' },
      { filename: 'data.bin', content: binary },
      { filename: 'data.bin', content: binary },
      { filename: 'big.txt', content: 'x'.repeat(2048) },
      { filename: 'logo.png', content: binary, cid: 'logo@corp.test', contentDisposition: 'inline' },
    ],
  });
  const message = await next;
  t.same(message.attachments.map((a) => a.filename), ['passwd', 'data.bin', 'data-1.bin']);
  t.same(message.attachments[1]?.content, binary, 'binary content is kept byte for byte');
  t.equal(message.attachments[0]?.content.toString(), 'root:x:0:0');
  t.equal(message.text, 'see attached\n\n[Attachments not saved: big.txt (2048 bytes, over the 1024-byte limit)]');
  const skipped = probe.logs.filter((l) => l.message === 'attachment not saved');
  t.same(skipped.map((l) => l.fields.attachment), ['big.txt (2048 bytes, over the 1024-byte limit)']);
});

t.test('after a restart: an answered mail is removed without a second answer, an unanswered one is handed over again', async (t) => {
  const p = await provider(t);
  const stateDir = await tempDir(t);
  const first = await startChannel(t, p, { stateDir });
  const answeredArrives = first.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'answered', text: 'one' });
  const answered = await answeredArrives;
  const pendingArrives = first.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'pending', text: 'two' });
  await pendingArrives;
  await first.channel.reply(answered, 'aaaa1111', { kind: 'result', markdown: 'done', attachments: [] });
  // The process dies before complete(): both mails are still in the inbox.
  await first.channel.stop();
  t.equal((await p.list(GATEWAY.address)).length, 2);

  const second = await startChannel(t, p, { stateDir });
  const again = second.nextMessage();
  const handedAgain = await again;
  t.equal(handedAgain.subject, 'pending');
  const left = await p.waitFor(GATEWAY.address, (mails) => mails.length === 1);
  t.equal(left[0]?.parsed.subject, 'pending', 'the answered mail is gone');
  t.same(second.received.map((m) => m.subject), ['pending'], 'the answered mail was not handed over again');
  t.equal((await p.list(ALICE.address)).length, 1, 'exactly one answer was sent');

  await second.channel.complete(handedAgain);
  await p.waitFor(GATEWAY.address, (mails) => mails.length === 0);
});

t.test('Dovecot restarted during IDLE: the channel backs off, reconnects and takes the next mail', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);
  t.equal(probe.channel.state().state, 'idle');
  const failed = probe.nextLog('IMAP connection failed; retrying');
  await p.dovecot.stop();
  const record = await failed;
  t.equal(record.fields.attempt, 1);
  t.equal(probe.channel.state().state, 'backoff');
  t.type(probe.channel.state().retryAt, Date);
  await p.dovecot.start();
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'after restart', text: 'still there?' });
  const message = await next;
  t.equal(message.subject, 'after restart');
  t.same(probe.channel.state(), { state: 'idle' }, 'connected again: no retry time, no error');
});

t.test('polling mode: the inbox is checked every poll_interval', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p, { config: { use_imap_idle: false, poll_interval: 0.1 } });
  t.equal(probe.channel.state().state, 'polling');
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'polled', text: 'hi' });
  t.equal((await next).subject, 'polled');
});

t.test('a reply that cannot be sent fails with EMAIL_SMTP_FAILED after retrying', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p, { config: { smtp_port: 1 } });
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'unlucky', text: 'hi' });
  const message = await next;
  await t.rejects(probe.channel.reply(message, 'bbbb2222', { kind: 'result', markdown: 'x', attachments: [] }), { code: 'EMAIL_SMTP_FAILED' });
  t.equal((await p.list(GATEWAY.address)).length, 1, 'the mail stays for another attempt');
});

t.test('automatic mail (out-of-office) is removed without a task, so replies cannot loop', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);
  const ignored = probe.nextLog('ignoring an automatic mail');
  await p.send(ALICE, { to: GATEWAY.address, subject: 'Out of office', text: 'I am away.', headers: { 'Auto-Submitted': 'auto-replied' } });
  t.equal((await ignored).fields.auto_submitted, 'auto-replied');
  const next = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'real', text: 'work', headers: { 'Auto-Submitted': 'no' } });
  t.equal((await next).subject, 'real');
  t.same(probe.received.map((m) => m.subject), ['real']);
});

t.test('mail that arrives while the inbox is being scanned is not missed before IDLE', async (t) => {
  const p = await provider(t);
  await p.send(ALICE, { to: GATEWAY.address, subject: 'first', text: 'a' });
  const channel = new EmailChannel({ repoId: 'repo-one', config: emailConfig(p), stateDir: await tempDir(t), logger: new Logger(() => undefined) });
  t.teardown(() => channel.stop());
  const subjects: (string | undefined)[] = [];
  const second = new Promise<void>((resolve) => {
    void channel.start(async (message: IncomingMessage) => {
      subjects.push(message.subject);
      // Delivered while the scan that found the first mail is still running.
      if (subjects.length === 1) await p.send(ALICE, { to: GATEWAY.address, subject: 'during scan', text: 'b' });
      else resolve();
    });
  });
  await second;
  t.same(subjects, ['first', 'during scan']);
});

t.test('wrong credentials: the channel reports backoff with the server\'s answer and keeps trying', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p, { config: { password: 'wrong', imap_connect_retries: 2 } });
  const state = probe.channel.state();
  t.equal(state.state, 'backoff');
  t.match(state.lastError, /auth/i);
  const retried = await probe.nextLog('IMAP connection failed; retrying');
  t.ok(Number(retried.fields.attempt) >= 3, 'it goes on after start() returned');
  t.match(retried.fields.error, /authentication failed/);
});

t.test('IDLE: a second mail after the first was answered and completed is handed over', async (t) => {
  const p = await provider(t);
  const probe = await startChannel(t, p);
  t.equal(probe.channel.state().state, 'idle');
  const firstArrives = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'first', text: 'one' });
  const first = await firstArrives;
  // As the gateway does: the handler has returned (the watcher is back in IDLE) when the task ends.
  await probe.channel.reply(first, 'cccc3333', { kind: 'result', markdown: 'done', attachments: [] });
  await probe.channel.complete(first);
  await p.waitFor(GATEWAY.address, (mails) => mails.length === 0);
  const secondArrives = probe.nextMessage();
  await p.send(ALICE, { to: GATEWAY.address, subject: 'Re: first', text: 'two' });
  const second = await within(t, secondArrives, 15_000, 'the second mail was never handed over');
  t.equal(second.subject, 'Re: first');
  t.equal(probe.channel.state().state, 'idle');
});

/** `promise`, or a failure after `ms` (a bound on a wait that would otherwise hang the file). */
function within<T>(t: Test, promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what} within ${ms} ms`)); }, ms);
  });
  t.teardown(() => { clearTimeout(timer); });
  return Promise.race([promise, bound]).finally(() => { clearTimeout(timer); });
}
