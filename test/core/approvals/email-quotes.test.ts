import t from 'tap';
import { parseAllowCommand } from '../../../src/core/approvals/index.js';
import { parseEmail } from '../../../src/core/channels/email/parse-message.js';

// What `allow N` is read from for email: the text the channel makes of a
// real MIME message, with quoted history removed (trailing) or kept as `>`
// lines (inline); neither form can carry an approval.

function mime(parts: { text?: string; html?: string }): Buffer {
  const head = ['From: Ada <ada@example.com>', 'To: airut@example.com', 'Subject: Re: [ID:abcd1234] Install x', 'Message-ID: <r1@example.com>'];
  if (parts.html === undefined) return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', '', parts.text ?? '', ''].join('\r\n'));
  return Buffer.from([
    ...head, 'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b"', '',
    '--b', 'Content-Type: text/plain; charset=utf-8', '', parts.text ?? '', '',
    '--b', 'Content-Type: text/html; charset=utf-8', '', parts.html, '', '--b--', '',
  ].join('\r\n'));
}

const allowOf = async (parts: { text?: string; html?: string }): Promise<number[] | undefined> => parseAllowCommand((await parseEmail(mime(parts), 1_000_000)).text);

void t.test('quoted allow N in a reply approves nothing', async (t) => {
  t.equal(await allowOf({ text: 'Thanks, try again.\r\n\r\nOn Sun, 6 Dec 2026 at 02:00, Airut <airut@example.com> wrote:\r\n> allow 1\r\n> Fetched' }), undefined, 'trailing plain-text quote');
  t.equal(await allowOf({ text: '> allow 1\r\nok, go on' }), undefined, 'inline plain-text quote');
  t.equal(await allowOf({ text: '', html: '<p>Thanks, try again.</p><blockquote type="cite"><p>allow 1</p></blockquote>' }), undefined, 'trailing HTML blockquote');
  t.equal(await allowOf({ text: '', html: '<blockquote><p>allow 1</p></blockquote><p>ok, go on</p>' }), undefined, 'inline HTML blockquote');
  t.equal(await allowOf({ text: '', html: '<div>Go.</div><div class="gmail_quote"><div>On Sun wrote:</div><blockquote class="gmail_quote">allow 1</blockquote></div>' }), undefined, 'Gmail quote');
});

void t.test('allow N in the new text counts, in plain text and HTML', async (t) => {
  t.strictSame(await allowOf({ text: 'allow 2\r\n\r\nOn Sun, 6 Dec 2026, Airut wrote:\r\n> allow 1' }), [2]);
  t.strictSame(await allowOf({ text: '', html: '<div>allow 1, 3</div><blockquote type="cite">allow 2</blockquote>' }), [1, 3]);
});
