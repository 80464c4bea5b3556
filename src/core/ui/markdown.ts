/**
 * A small Markdown reader for assistant text in the terminal: the constructs
 * Claude's answers actually use (headings, paragraphs, fenced code, bullet and
 * numbered lists, quotes, rules; bold, italic, inline code and links). Anything
 * else reads as plain text, so nothing Claude wrote is ever dropped.
 */

/** A run of inline text with its styling. */
export interface Span {
  text: string;
  bold?: boolean;
  italic?: boolean;
  code?: boolean;
  /** Set on the text of a link; the URL is printed after it. */
  url?: string;
}

/** One block of a Markdown document. */
export type MarkdownBlock =
  | { type: 'heading'; level: number; spans: Span[] }
  | { type: 'paragraph'; spans: Span[] }
  | { type: 'code'; language: string; lines: string[] }
  /** `marker` is `•` for bullets, `N.` for numbered items; `depth` counts nesting from 0. */
  | { type: 'list-item'; marker: string; depth: number; spans: Span[] }
  | { type: 'quote'; spans: Span[] }
  | { type: 'rule' };

const FENCE = /^ {0,3}(```+|~~~+)\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
const NUMBERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;

/** Splits `text` into blocks. Lines of a paragraph are joined with spaces, as Markdown does. */
export function parseMarkdown(text: string): MarkdownBlock[] {
  const blocks: MarkdownBlock[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', spans: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const close = fence[1] ?? '```';
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(close)) code.push(lines[i++] ?? '');
      blocks.push({ type: 'code', language: fence[2] ?? '', lines: code });
      continue;
    }
    if (line.trim() === '') {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ type: 'heading', level: (heading[1] ?? '#').length, spans: parseInline(heading[2] ?? '') });
      continue;
    }
    if (RULE.test(line)) {
      flush();
      blocks.push({ type: 'rule' });
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      flush();
      blocks.push({ type: 'list-item', marker: '•', depth: depthOf(bullet[1] ?? ''), spans: parseInline(bullet[2] ?? '') });
      continue;
    }
    const numbered = NUMBERED.exec(line);
    if (numbered) {
      flush();
      blocks.push({ type: 'list-item', marker: `${numbered[2]}.`, depth: depthOf(numbered[1] ?? ''), spans: parseInline(numbered[3] ?? '') });
      continue;
    }
    const quote = QUOTE.exec(line);
    if (quote) {
      flush();
      blocks.push({ type: 'quote', spans: parseInline(quote[1] ?? '') });
      continue;
    }
    const last = blocks.at(-1);
    if (paragraph.length === 0 && last?.type === 'list-item' && /^\s+\S/.test(line) && i > 0 && (lines[i - 1] ?? '').trim() !== '') {
      // An indented continuation line belongs to the list item above it.
      last.spans = [...last.spans, { text: ' ' }, ...parseInline(line.trim())];
      continue;
    }
    paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

/** Two spaces (or a tab) of indentation per nesting level. */
function depthOf(indent: string): number {
  return Math.floor(indent.replace(/\t/g, '  ').length / 2);
}

const INLINE = /`([^`]+)`|\*\*(.+?)\*\*|__(.+?)__|\*([^*\s](?:[^*]*[^*\s])?)\*|(?<![\w])_([^_\s](?:[^_]*[^_\s])?)_(?![\w])|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Splits one line of text into styled spans. Emphasis does not nest, which is enough for terminal display. */
export function parseInline(text: string): Span[] {
  const spans: Span[] = [];
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index;
    if (index > at) spans.push({ text: text.slice(at, index) });
    const [, code, bold, boldUnderscore, italic, italicUnderscore, linkText, url] = match;
    if (code !== undefined) spans.push({ text: code, code: true });
    else if (bold !== undefined || boldUnderscore !== undefined) spans.push({ text: bold ?? boldUnderscore ?? '', bold: true });
    else if (italic !== undefined || italicUnderscore !== undefined) spans.push({ text: italic ?? italicUnderscore ?? '', italic: true });
    else if (linkText !== undefined && url !== undefined) spans.push({ text: linkText, url });
    at = index + match[0].length;
  }
  if (at < text.length) spans.push({ text: text.slice(at) });
  return spans;
}
