/**
 * Claude's Markdown as the HTML of a reply mail, rendered from the shared
 * parser's tokens.
 *
 * Everything the model wrote is escaped; only the markup produced here reaches
 * the HTML (raw HTML in the Markdown shows as text). Links keep only http(s)
 * and mailto targets; any other link shows as the text it was written as.
 * Headings become bold/underlined text rather than `<h1>` because mail
 * clients style those wildly. Never throws.
 */
import { isSafeUrl, lexMarkdown, type Token, type Tokens } from '../../markdown/index.js';

const HEADING_STYLE: Record<number, [string, string]> = {
  1: ['<strong><u>', '</u></strong>'],
  2: ['<strong><em><u>', '</u></em></strong>'],
  3: ['<u>', '</u>'],
  4: ['<em><u>', '</u></em>'],
  5: ['<em>', '</em>'],
  6: ['<strong>', '</strong>'],
};
const QUOTE_STYLE = 'border-left:2px solid #ccc;margin:0 0 0 4px;padding-left:8px;color:#555;';
const TABLE_STYLE = 'border:1px solid #ccc;border-collapse:collapse;';
const CELL_STYLE = 'border:1px solid #ccc;padding:4px 8px;';
const PRE_STYLE = 'background:#f6f8fa;padding:8px;';
const TRAILING_BREAKS = /(<br>\n?)+$/;

/** Renders `markdown` as an HTML fragment. */
export function markdownToHtml(markdown: string): string {
  return renderBlocks(lexMarkdown(markdown)).replace(TRAILING_BREAKS, '');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function renderBlocks(tokens: readonly Token[]): string {
  const out = tokens.map(renderBlock).join('');
  return out.replace(/<br>\n<br>\n$/, '<br>\n');
}

function renderBlock(token: Token): string {
  switch (token.type) {
    case 'space':
    case 'def':
      return '';
    case 'heading': {
      const [open, close] = HEADING_STYLE[(token as Tokens.Heading).depth] ?? ['', ''];
      return `${open}${renderInline(token.tokens)}${close}<br>\n`;
    }
    case 'paragraph':
      return `${renderInline(token.tokens)}<br>\n<br>\n`;
    case 'text':
      return renderInline(token.tokens ?? [token]);
    case 'code':
      return `<pre style="${PRE_STYLE}">${escapeHtml((token as Tokens.Code).text)}</pre>\n`;
    case 'hr':
      return '<hr>\n';
    case 'blockquote':
      return `<blockquote style="${QUOTE_STYLE}">${renderBlocks(token.tokens ?? []).replace(TRAILING_BREAKS, '')}</blockquote>\n`;
    case 'list':
      return renderList(token as Tokens.List);
    case 'table':
      return renderTable(token as Tokens.Table);
    default:
      // Raw HTML blocks and anything unknown: the text as written, escaped.
      return `${escapeHtml(token.raw.trim()).replace(/\n/g, '<br>\n')}<br>\n<br>\n`;
  }
}

function renderList(list: Tokens.List): string {
  const items = list.items.map((item) => {
    const body = item.tokens.map((token) => {
      if (token.type === 'checkbox') return (token as Tokens.Checkbox).checked ? '\u2611 ' : '\u2610 ';
      return renderBlock(token);
    }).join('');
    return `<li>${body.replace(TRAILING_BREAKS, '').trimEnd()}</li>`;
  });
  const tag = list.ordered ? 'ol' : 'ul';
  const start = typeof list.start === 'number' ? list.start : 1;
  const startAttr = list.ordered && start !== 1 ? ` start="${start}"` : '';
  return `<${tag}${startAttr}>${items.join('')}</${tag}>\n`;
}

function renderTable(table: Tokens.Table): string {
  const row = (cells: readonly Tokens.TableCell[], tag: 'th' | 'td'): string =>
    `<tr>${cells.map((cell) => `<${tag} style="${CELL_STYLE}">${renderInline(cell.tokens)}</${tag}>`).join('')}</tr>`;
  return `<table style="${TABLE_STYLE}">${[row(table.header, 'th'), ...table.rows.map((cells) => row(cells, 'td'))].join('')}</table>\n`;
}

function renderInline(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map(renderInlineToken).join('');
}

function renderInlineToken(token: Token): string {
  switch (token.type) {
    case 'text':
      // A soft line break inside a paragraph reads as a space, as in any Markdown view.
      return token.tokens !== undefined && token.tokens.length > 0 ? renderInline(token.tokens) : escapeHtml((token as Tokens.Text).text).replace(/\n/g, ' ');
    case 'escape':
      return escapeHtml((token as Tokens.Escape).text);
    case 'strong':
      return `<strong>${renderInline(token.tokens)}</strong>`;
    case 'em':
      return `<em>${renderInline(token.tokens)}</em>`;
    case 'del':
      return `<del>${renderInline(token.tokens)}</del>`;
    case 'codespan':
      return `<code>${escapeHtml((token as Tokens.Codespan).text)}</code>`;
    case 'br':
      return '<br>\n';
    case 'link':
    case 'image': {
      const { href, text } = token as Tokens.Link | Tokens.Image;
      if (!isSafeUrl(href)) return escapeHtml(token.raw);
      // An image is not fetched into the mail: it becomes a link to the picture.
      const label = token.type === 'image' ? escapeHtml(text === '' ? href : text) : renderInline(token.tokens);
      return `<a href="${escapeHtml(href)}">${label === '' ? escapeHtml(href) : label}</a>`;
    }
    default:
      // Inline HTML and anything unknown: the text as written, escaped.
      return escapeHtml(token.raw);
  }
}
