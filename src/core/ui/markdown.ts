/**
 * Assistant text for the terminal, as blocks of styled spans built from the
 * shared parser's tokens: headings, paragraphs, fenced code, bullet and
 * numbered lists, quotes, rules and tables; bold, italic, inline code and
 * links. Anything else reads as the text it was written as, so nothing
 * Claude wrote is ever dropped.
 */
import { lexInline, lexMarkdown, plainText, type Token, type Tokens } from '../markdown/index.js';

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

/** Splits `text` into blocks. Lines of a paragraph are joined with spaces, as Markdown does. */
export function parseMarkdown(text: string): MarkdownBlock[] {
  return lexMarkdown(text).flatMap((token) => toBlocks(token));
}

/** Splits one line of text into styled spans. */
export function parseInline(text: string): Span[] {
  return toSpans(lexInline(text));
}

function toBlocks(token: Token): MarkdownBlock[] {
  switch (token.type) {
    case 'space':
    case 'def':
      return [];
    case 'heading':
      return [{ type: 'heading', level: (token as Tokens.Heading).depth, spans: toSpans(token.tokens) }];
    case 'paragraph':
    case 'text':
      return [{ type: 'paragraph', spans: toSpans(token.tokens ?? [token]) }];
    case 'code': {
      const code = token as Tokens.Code;
      return [{ type: 'code', language: code.lang ?? '', lines: code.text === '' ? [] : code.text.split('\n') }];
    }
    case 'hr':
      return [{ type: 'rule' }];
    case 'blockquote':
      return (token.tokens ?? []).flatMap(toBlocks).map((block) => (block.type === 'paragraph' ? { type: 'quote', spans: block.spans } : block));
    case 'list':
      return listItems(token as Tokens.List, 0);
    case 'table': {
      const table = token as Tokens.Table;
      const row = (cells: readonly Tokens.TableCell[]): string => cells.map((cell) => plainText(cell.tokens)).join(' | ');
      return [{ type: 'code', language: '', lines: [row(table.header), ...table.rows.map(row)] }];
    }
    default:
      return [{ type: 'paragraph', spans: [{ text: token.raw.trim().replace(/\s*\n\s*/g, ' ') }] }];
  }
}

function listItems(list: Tokens.List, depth: number): MarkdownBlock[] {
  const start = typeof list.start === 'number' ? list.start : 1;
  return list.items.flatMap((item, index) => {
    const marker = list.ordered ? `${start + index}.` : '•';
    const spans: Span[] = [];
    const nested: MarkdownBlock[] = [];
    for (const token of item.tokens) {
      if (token.type === 'checkbox') spans.push({ text: token.raw });
      else if (token.type === 'list') nested.push(...listItems(token as Tokens.List, depth + 1));
      else {
        // Paragraphs of a loose item run on in one line, like continuation lines.
        for (const block of toBlocks(token)) {
          if ('spans' in block) spans.push(...(spans.length > 0 && token.type !== 'text' ? [{ text: ' ' }] : []), ...block.spans);
          else nested.push(block);
        }
      }
    }
    return [{ type: 'list-item' as const, marker, depth, spans: merge(spans) }, ...nested];
  });
}

function toSpans(tokens: readonly Token[] | undefined): Span[] {
  return merge((tokens ?? []).flatMap(spansOf));
}

function spansOf(token: Token): Span[] {
  switch (token.type) {
    case 'text':
      return token.tokens !== undefined && token.tokens.length > 0 ? token.tokens.flatMap(spansOf) : [{ text: (token as Tokens.Text).text.replace(/\n/g, ' ') }];
    case 'escape':
      return [{ text: (token as Tokens.Escape).text }];
    case 'strong':
      return (token.tokens ?? []).flatMap(spansOf).map((span) => ({ ...span, bold: true }));
    case 'em':
      return (token.tokens ?? []).flatMap(spansOf).map((span) => ({ ...span, italic: true }));
    case 'codespan':
      return [{ text: (token as Tokens.Codespan).text, code: true }];
    case 'br':
      return [{ text: ' ' }];
    case 'link':
    case 'image': {
      // A bare or <bracketed> URL is its own text; a labelled link prints its URL after the label.
      if (!/^!?\[/.test(token.raw)) return [{ text: (token as Tokens.Link).href }];
      return [{ text: plainText(token.tokens) || (token as Tokens.Image).text, url: (token as Tokens.Link).href }];
    }
    default:
      // Strikethrough, inline HTML and anything unknown: as written.
      return [{ text: token.raw }];
  }
}

/** Joins neighbouring spans of the same style, so plain text stays one span. */
function merge(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    if (span.text === '') continue;
    const last = out.at(-1);
    if (last !== undefined && last.url === undefined && span.url === undefined && last.bold === span.bold && last.italic === span.italic && last.code === span.code) {
      last.text += span.text;
    } else out.push({ ...span });
  }
  return out;
}
