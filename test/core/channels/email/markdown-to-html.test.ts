import t from 'tap';
import { markdownToHtml } from '../../../../src/core/channels/email/markdown-to-html.js';

t.test('everything from the model is escaped', async (t) => {
  t.equal(markdownToHtml('<img src=x onerror=alert(1)> & "q"'), '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot;');
  t.equal(markdownToHtml('[click](javascript:alert(1))'), '[click](javascript:alert(1))', 'unsafe link targets stay text');
  // CommonMark keeps `<2>` in the destination; the href is escaped as a whole.
  t.equal(markdownToHtml('[a "b"](https://x.test/?a=1&b=<2>)'), '<a href="https://x.test/?a=1&amp;b=&lt;2&gt;">a &quot;b&quot;</a>');
  t.equal(markdownToHtml('`<b>` **`x`**'), '<code>&lt;b&gt;</code> <strong><code>x</code></strong>');
  t.equal(markdownToHtml('```\n<script>\n```'), '<pre style="background:#f6f8fa;padding:8px;">&lt;script&gt;</pre>\n');
  t.equal(markdownToHtml('a\u0000 0\u0000b'), 'a 0b', 'placeholder delimiters in the input are dropped');
  t.equal(markdownToHtml(''), '');
});

t.test('blocks and inline markup', async (t) => {
  t.equal(markdownToHtml('# Title\n\nSome *em* and **strong** text\nwrapped.\n\nNext paragraph.'),
    '<strong><u>Title</u></strong><br>\nSome <em>em</em> and <strong>strong</strong> text wrapped.<br>\n<br>\nNext paragraph.');
  t.equal(markdownToHtml('- one\n- two\n  - nested\n- three'), '<ul><li>one</li><li>two<ul><li>nested</li></ul></li><li>three</li></ul>\n');
  t.equal(markdownToHtml('3. c\n4. d'), '<ol start="3"><li>c</li><li>d</li></ol>\n');
  t.equal(markdownToHtml('> quoted\n> more'), '<blockquote style="border-left:2px solid #ccc;margin:0 0 0 4px;padding-left:8px;color:#555;">quoted more</blockquote>\n');
  t.equal(markdownToHtml('see https://example.test/a.'), 'see <a href="https://example.test/a">https://example.test/a</a>.');
  t.equal(markdownToHtml('---'), '<hr>\n');
});

t.test('tables: escaped pipes in code spans are not separators, short and long rows fit the header', async (t) => {
  // As on GitHub, a pipe inside a code span in a table must be escaped.
  const html = markdownToHtml('| a | b |\n|---|---|\n| `x\\|y` | 2 |\n| only |\n| 1 | 2 | 3 |');
  t.match(html, /^<table style="border:1px solid #ccc;border-collapse:collapse;">/);
  const rows = html.match(/<tr>.*?<\/tr>/g) ?? [];
  t.equal(rows.length, 4);
  t.match(rows[1], /<code>x\|y<\/code><\/td><td[^>]*>2<\/td><\/tr>$/);
  t.equal((rows[2]?.match(/<td/g) ?? []).length, 2);
  t.equal((rows[3]?.match(/<td/g) ?? []).length, 2);
});

t.test('raw HTML and unsafe link schemes never reach the mail as markup', async (t) => {
  const cases: [string, string][] = [
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<a href="javascript:x">y</a>', '&lt;a href=&quot;javascript:x&quot;&gt;y&lt;/a&gt;'],
    ['text <img src=x onerror=alert(1)> more', 'text &lt;img src=x onerror=alert(1)&gt; more'],
    ['[x](JAVASCRIPT:alert(1))', '[x](JAVASCRIPT:alert(1))'],
    ['[x](<javascript:alert(1)>)', '[x](&lt;javascript:alert(1)&gt;)'],
    ['[x](jav&#x61;script:alert(1))', '[x](jav&amp;#x61;script:alert(1))'],
    ['[x](data:text/html,<script>)', '[x](data:text/html,&lt;script&gt;)'],
    ['![i](javascript:x)', '![i](javascript:x)'],
    ['<javascript:alert(1)>', '&lt;javascript:alert(1)&gt;'],
    ['[x]: javascript:alert(1)\n\n[x]', '[x]'],
    ['[x](https://a.test/" onmouseover="x)', '[x](<a href="https://a.test/">https://a.test/</a>&quot; onmouseover=&quot;x)'],
    ['![chart](https://a.test/c.png)', '<a href="https://a.test/c.png">chart</a>'],
    ['[mail](mailto:a@b.test)', '<a href="mailto:a@b.test">mail</a>'],
  ];
  for (const [markdown, html] of cases) t.equal(markdownToHtml(markdown), html, markdown);
  for (const [markdown] of cases) t.notMatch(markdownToHtml(markdown), /<(script|img|a href="(?!https?:|mailto:))/i, `${markdown}: no live markup`);
});
