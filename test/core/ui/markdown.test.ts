import t from 'tap';
import { parseInline, parseMarkdown } from '../../../src/core/ui/markdown.js';

t.test('headings, paragraphs joined, rules', async (t) => {
  t.same(parseMarkdown('# Title\n\nFirst line\nsecond line\n\n---\n### Small ###'), [
    { type: 'heading', level: 1, spans: [{ text: 'Title' }] },
    { type: 'paragraph', spans: [{ text: 'First line second line' }] },
    { type: 'rule' },
    { type: 'heading', level: 3, spans: [{ text: 'Small' }] },
  ]);
});

t.test('fenced code keeps its lines as written, even Markdown inside', async (t) => {
  t.same(parseMarkdown('Run:\n```sh\nnpm test\n\n# not a heading\n```\nafter'), [
    { type: 'paragraph', spans: [{ text: 'Run:' }] },
    { type: 'code', language: 'sh', lines: ['npm test', '', '# not a heading'] },
    { type: 'paragraph', spans: [{ text: 'after' }] },
  ]);
  t.same(parseMarkdown('```\nunclosed'), [{ type: 'code', language: '', lines: ['unclosed'] }], 'an unclosed fence runs to the end');
});

t.test('bullet and numbered lists with nesting and continuation lines', async (t) => {
  t.same(parseMarkdown('- one\n  more of one\n  - nested\n* two\n1. first\n2) second'), [
    // A continuation line is part of the item's paragraph, so it joins the item's text with a space.
    { type: 'list-item', marker: '•', depth: 0, spans: [{ text: 'one more of one' }] },
    { type: 'list-item', marker: '•', depth: 1, spans: [{ text: 'nested' }] },
    { type: 'list-item', marker: '•', depth: 0, spans: [{ text: 'two' }] },
    { type: 'list-item', marker: '1.', depth: 0, spans: [{ text: 'first' }] },
    { type: 'list-item', marker: '2.', depth: 0, spans: [{ text: 'second' }] },
  ]);
});

t.test('quotes', async (t) => {
  t.same(parseMarkdown('> quoted **bit**'), [{ type: 'quote', spans: [{ text: 'quoted ' }, { text: 'bit', bold: true }] }]);
});

t.test('inline: bold, italic, code, links; plain text around them', async (t) => {
  t.same(parseInline('a **bold** and *it* or _it2_ with `x*y*z` see [docs](https://example.test/d).'), [
    { text: 'a ' },
    { text: 'bold', bold: true },
    { text: ' and ' },
    { text: 'it', italic: true },
    { text: ' or ' },
    { text: 'it2', italic: true },
    { text: ' with ' },
    { text: 'x*y*z', code: true },
    { text: ' see ' },
    { text: 'docs', url: 'https://example.test/d' },
    { text: '.' },
  ]);
  t.same(parseInline('snake_case_name and 2 * 3 * 4'), [{ text: 'snake_case_name and 2 * 3 * 4' }], 'no emphasis inside words or around spaced stars');
  t.same(parseInline('**unclosed'), [{ text: '**unclosed' }]);
});

t.test('CRLF and empty input', async (t) => {
  t.same(parseMarkdown('a\r\nb'), [{ type: 'paragraph', spans: [{ text: 'a b' }] }]);
  t.same(parseMarkdown(''), []);
});

t.test('tables, task items, raw HTML and strikethrough read as the text that was written', async (t) => {
  t.same(parseMarkdown('| a | b |\n|---|---|\n| **x** | [l](https://e.test) |'), [{ type: 'code', language: '', lines: ['a | b', 'x | l'] }]);
  t.same(parseMarkdown('- [ ] open\n- [x] done'), [
    { type: 'list-item', marker: '•', depth: 0, spans: [{ text: '[ ] open' }] },
    { type: 'list-item', marker: '•', depth: 0, spans: [{ text: '[x] done' }] },
  ]);
  t.same(parseMarkdown('<div>hi</div>'), [{ type: 'paragraph', spans: [{ text: '<div>hi</div>' }] }]);
  t.same(parseInline('~~gone~~ and https://e.test/x'), [{ text: '~~gone~~ and https://e.test/x' }]);
  t.same(parseInline('**bold *both***'), [{ text: 'bold ', bold: true }, { text: 'both', bold: true, italic: true }]);
});
