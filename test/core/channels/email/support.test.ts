import t from 'tap';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelay } from '../../../../src/core/channels/email/backoff.js';
import { sanitizeFilename, parseEmail } from '../../../../src/core/channels/email/parse-message.js';
import { isTransient } from '../../../../src/core/channels/email/smtp-sender.js';
import { EmailStateStore } from '../../../../src/core/channels/email/state-store.js';
import { EmailChannel } from '../../../../src/core/channels/email/index.js';
import { Logger } from '../../../../src/core/log/index.js';
import { tempDir } from './mail-fixture.js';

t.test('backoff doubles up to the cap', async (t) => {
  t.same([1, 2, 3, 4, 5, 40].map((n) => backoffDelay({ initialMs: 1000, maxMs: 5000 }, n)), [1000, 2000, 4000, 5000, 5000, 5000]);
});

t.test('transient SMTP failures are 4xx and connection errors', async (t) => {
  t.ok(isTransient({ responseCode: 451 }));
  t.notOk(isTransient({ responseCode: 550 }));
  t.ok(isTransient({ code: 'ECONNECTION' }));
  t.notOk(isTransient({ code: 'EAUTH' }));
  t.notOk(isTransient('boom'));
});

t.test('attachment names lose directories and control characters', async (t) => {
  t.equal(sanitizeFilename('../../etc/passwd'), 'passwd');
  t.equal(sanitizeFilename('C:\\Users\\x\\report.pdf'), 'report.pdf');
  t.equal(sanitizeFilename('a\u0000b\nc.txt'), 'abc.txt');
  t.equal(sanitizeFilename('..'), undefined);
  t.equal(sanitizeFilename('dir/'), undefined);
});

t.test('parsing decodes RFC 2047 subjects and declared charsets; a mail without Message-ID gets a stable one', async (t) => {
  const raw = Buffer.concat([
    Buffer.from('From: a@b.test\r\nTo: airut+Sonnet@corp.test\r\nSubject: =?iso-8859-1?q?Caf=E9?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'),
    Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]),
  ]);
  const parsed = await parseEmail(raw, 100);
  t.equal(parsed.subject, 'Café');
  t.equal(parsed.text, 'café');
  t.equal(parsed.modelHint, 'sonnet');
  t.match(parsed.messageId, /^<sha256\.[0-9a-f]{32}@airut\.invalid>$/);
  t.equal((await parseEmail(raw, 100)).messageId, parsed.messageId);
});

t.test('the state store survives a reopen and a torn last line', async (t) => {
  const dir = await tempDir(t);
  const store = await EmailStateStore.open(dir);
  await store.markHandled('<a@x>', new Date(0));
  await store.recordSent('<ours@x>', 'ab12cd34', new Date(0));
  await appendFile(join(dir, 'email-handled.jsonl'), '{"id":"<torn@');
  const again = await EmailStateStore.open(dir);
  t.ok(again.isHandled('<a@x>'));
  t.notOk(again.isHandled('<torn@'));
  t.equal(again.conversationOf('<ours@x>'), 'ab12cd34');
});

t.test('provider verification without a trusted authserv-id is a config error', async (t) => {
  t.throws(() => new EmailChannel({
    repoId: 'r',
    stateDir: '/nonexistent',
    logger: new Logger(() => undefined),
    config: {
      imap_server: 'h', imap_port: 993, imap_security: 'auto', imap_connect_retries: 1, use_imap_idle: true, poll_interval: 60,
      idle_reconnect_interval: 1740, smtp_server: 'h', smtp_port: 587, smtp_security: 'auto', smtp_require_auth: true,
      username: 'u', from: 'u@h', authorized_senders: ['u@h'], verify: 'provider', microsoft_internal_fallback: false,
      acknowledge: true, footer: true, max_attachment_bytes: 1,
    },
  }), { code: 'EMAIL_CONFIG_INVALID' });
});
