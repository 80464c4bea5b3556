/**
 * Claude's Markdown as Slack mrkdwn, rendered from the shared parser's
 * tokens. Slack has no headings, tables or nested list syntax and uses
 * single-character emphasis, so those are translated; code spans and fences
 * keep their content (only `&`, `<`, `>` are escaped, as Slack requires
 * everywhere, which also keeps a hand-written `<@U123>` from pinging anyone).
 * Blank lines between blocks are kept as written.
 */
import { blocksWithSpacing, lexMarkdown, plainText, type Token, type Tokens } from '../../markdown/index.js';
import { displayWidth } from './text-width.js';

const BULLETS = ['•', '◦', '▪'];
const RULE = '──────────';

/** Converts Markdown to Slack mrkdwn. */
export function markdownToMrkdwn(markdown: string): string {
  // Trailing line breaks are kept too, as the text was written.
  const trailing = /\n*$/.exec(markdown.replace(/\r\n?/g, '\n'))?.[0] ?? '';
  return renderBlocks(lexMarkdown(markdown)).join('\n') + trailing;
}

function renderBlocks(tokens: readonly Token[]): string[] {
  const lines: string[] = [];
  for (const { token, blankLinesBefore } of blocksWithSpacing(tokens)) {
    const rendered = renderBlock(token);
    if (rendered.length === 0) continue;
    for (let n = 0; n < blankLinesBefore; n++) lines.push('');
    lines.push(...rendered);
  }
  return lines;
}

function renderBlock(token: Token): string[] {
  switch (token.type) {
    case 'def':
      return [];
    case 'heading':
      return [`*${inline(token.tokens, { bold: false })}*`];
    case 'paragraph':
    case 'text':
      return inline(token.tokens ?? [token]).split('\n');
    case 'code':
      return ['```', ...escapeText((token as Tokens.Code).text).split('\n'), '```'];
    case 'hr':
      return [RULE];
    case 'blockquote':
      return renderBlocks(token.tokens ?? []).map((line) => (line === '' ? '>' : `> ${line}`));
    case 'list':
      return renderList(token as Tokens.List, 0);
    case 'table':
      return renderTable(token as Tokens.Table);
    default:
      // Raw HTML blocks and anything unknown: the text as written.
      return escapeText(token.raw.replace(/\n+$/, '')).split('\n');
  }
}

function renderList(list: Tokens.List, level: number): string[] {
  const lines: string[] = [];
  const start = typeof list.start === 'number' ? list.start : 1;
  list.items.forEach((item, index) => {
    const marker = list.ordered ? `${start + index}.` : BULLETS[Math.min(level, BULLETS.length - 1)] ?? '•';
    let first = true;
    let box = '';
    for (const token of item.tokens) {
      if (token.type === 'checkbox') {
        box = (token as Tokens.Checkbox).checked ? '☑ ' : '☐ ';
      } else if (token.type === 'list') {
        lines.push(...renderList(token as Tokens.List, level + 1));
      } else if (token.type !== 'space') {
        // The item's first line carries the marker; the rest line up under its text.
        for (const line of renderBlock(token)) {
          lines.push(`${'    '.repeat(level)}${first ? `${marker} ${box}` : '  '}${line}`);
          first = false;
        }
      }
    }
    if (first) lines.push(`${'    '.repeat(level)}${marker} ${box}`.trimEnd());
  });
  return lines;
}

/** `&`, `<` and `>` are Slack's control characters in every part of a message. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A URL inside `<...|...>` may not hold `|` or `>` literally. */
function escapeUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/** Inline tokens as mrkdwn; `bold: false` drops bold marks (a heading is bold as a whole). */
function inline(tokens: readonly Token[] | undefined, options: { bold: boolean } = { bold: true }): string {
  return (tokens ?? []).map((token) => inlineToken(token, options)).join('');
}

function inlineToken(token: Token, options: { bold: boolean }): string {
  switch (token.type) {
    case 'text':
      return token.tokens !== undefined && token.tokens.length > 0 ? inline(token.tokens, options) : escapeText((token as Tokens.Text).text);
    case 'escape':
      return escapeText((token as Tokens.Escape).text);
    case 'strong':
      return options.bold ? `*${inline(token.tokens, options)}*` : inline(token.tokens, options);
    case 'em':
      return `_${inline(token.tokens, options)}_`;
    case 'del':
      return `~${inline(token.tokens, options)}~`;
    case 'codespan':
      return `\`${escapeText((token as Tokens.Codespan).text)}\``;
    case 'br':
      return '\n';
    case 'link':
    case 'image': {
      const { href } = token as Tokens.Link | Tokens.Image;
      // A bare URL stays as typed (Slack links it); <url> and [label](url) become Slack links.
      if (token.raw.startsWith('<')) return `<${escapeUrl(href)}>`;
      if (!/^!?\[/.test(token.raw)) return escapeText(token.raw);
      return `<${escapeUrl(href)}|${escapeText(plainText(token.tokens) || (token as Tokens.Image).text || href)}>`;
    }
    default:
      // Inline HTML and anything unknown: the text as written.
      return escapeText(token.raw);
  }
}

/** Table cells go into a code block, where emphasis would show as literal marks: links as `label (url)`. */
function plainCell(tokens: readonly Token[]): string {
  return tokens.map((token) => {
    if (token.type === 'link' && /^\[/.test(token.raw)) return `${plainText(token.tokens)} (${(token as Tokens.Link).href})`;
    if ('tokens' in token && Array.isArray(token.tokens)) return plainCell(token.tokens);
    return plainText([token]);
  }).join('');
}

/** A Markdown table as a code block with columns aligned by display width. */
function renderTable(table: Tokens.Table): string[] {
  const rows = [table.header, ...table.rows].map((cells) => cells.map((cell) => plainCell(cell.tokens)));
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_v, c) => Math.max(...rows.map((row) => displayWidth(row[c] ?? ''))));
  const render = (row: string[]): string => widths
    .map((width, c) => {
      const cell = row[c] ?? '';
      return cell + ' '.repeat(width - displayWidth(cell));
    })
    .join(' | ')
    .trimEnd();
  const [header = [], ...body] = rows;
  return ['```', escapeText(render(header)), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map((row) => escapeText(render(row))), '```'];
}
