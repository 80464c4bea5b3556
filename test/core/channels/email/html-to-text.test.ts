import t from 'tap';
import { htmlToText } from '../../../../src/core/channels/email/html-to-text.js';
import { stripPlainTextQuotes } from '../../../../src/core/channels/email/plain-text-quotes.js';

t.test('HTML becomes Markdown-ish text', async (t) => {
  t.equal(htmlToText('<html><head><style>p{}</style></head><body><h2>Plan</h2><p>Do <i>this</i>, <a href="https://x.test">see</a>.</p>'
    + '<ol><li>first</li><li>second</li></ol><pre><code>a &lt; b\n  c</code></pre><script>alert(1)</script></body></html>'),
  '## Plan\n\nDo *this*, [see](https://x.test).\n\n1. first\n2. second\n\n```\na < b\n  c\n```');
  t.equal(htmlToText('<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>'), '| k | v |\n| --- | --- |\n| a | 1 |');
  t.equal(htmlToText('a&nbsp;&amp;&#x41;&#66;<br>b'), 'a &AB\nb');
});

t.test('quoted history: trailing quotes become one line, inline replies keep the quote', async (t) => {
  t.equal(htmlToText('<div>New text</div><div class="gmail_quote">On Mon wrote:<blockquote>old</blockquote></div>'), 'New text\n\n[quoted text removed]');
  t.equal(htmlToText('<p>Answer</p><blockquote type="cite">q1</blockquote><div class="moz-cite-prefix">q2</div>'), 'Answer\n\n[quoted text removed]');
  t.equal(htmlToText('<div class="gmail_quote">question?</div><p>my answer</p>'), '> question?\n\nmy answer');
  t.equal(htmlToText('<p>Top</p><div id="divRplyFwdMsg">From: x</div><div>old body</div><p>old end</p>'), 'Top\n\n[quoted text removed]', 'Outlook: everything after the boundary');
  t.equal(htmlToText('<div><p>Top</p><div><div id="DIVRPLYFWDMSG">From</div><p>old</p></div><p>older</p></div>'), 'Top\n\n[quoted text removed]', 'also when nested');
});

t.test('plain text: trailing quotes and an attribution line are removed, inline replies kept', async (t) => {
  t.equal(stripPlainTextQuotes('Yes please.\n\nOn Mon, 1 Jan 2026, Airut <a@b> wrote:\n> old\n> older\n'), 'Yes please.\n\n[quoted text removed]');
  t.equal(stripPlainTextQuotes('> a question\nmy answer\n'), '> a question\nmy answer');
  t.equal(stripPlainTextQuotes('Reply\n\n-----Original Message-----\nFrom: x\n\nold'), 'Reply\n\n[quoted text removed]');
  t.equal(stripPlainTextQuotes('> only a quote'), '> only a quote');
  t.equal(stripPlainTextQuotes('no quotes\n'), 'no quotes');
});
