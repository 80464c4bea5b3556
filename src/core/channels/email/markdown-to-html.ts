/**
 * A small, safe Markdown to HTML renderer for reply mails.
 *
 * Everything the model wrote is escaped; only the markup produced here reaches
 * the HTML (raw HTML in the Markdown shows as text). Links keep only http(s)
 * and mailto targets. Headings become bold/underlined text rather than
 * `<h1>` because mail clients style those wildly. Never throws.
 */

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

/** Renders `markdown` as an HTML fragment. */
export function markdownToHtml(markdown: string): string {
  // NUL is reserved for the renderer's own placeholders.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or delimits
  const lines = markdown.replace(/\u0000/g, '').replace(/\r\n?/g, '\n').split('\n');
  return renderBlocks(lines).replace(/(<br>\n?)+$/, '');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function renderBlocks(lines: string[]): string {
  let out = '';
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence?.[1] !== undefined) {
      const marker = fence[1];
      const body: string[] = [];
      i += 1;
      while (i < lines.length && !(lines[i] ?? '').trim().startsWith(marker)) body.push(lines[i++] ?? '');
      i += 1;
      out += `<pre style="background:#f6f8fa;padding:8px;">${escapeHtml(body.join('\n'))}</pre>\n`;
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading?.[1] !== undefined) {
      const [open, close] = HEADING_STYLE[heading[1].length] ?? ['', ''];
      out += `${open}${renderInline(heading[2] ?? '')}${close}<br>\n`;
      i += 1;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out += '<hr>\n';
      i += 1;
      continue;
    }
    if (/^\s{0,3}>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s{0,3}>/.test(lines[i] ?? '')) body.push((lines[i++] ?? '').replace(/^\s{0,3}> ?/, ''));
      out += `<blockquote style="${QUOTE_STYLE}">${renderBlocks(body).replace(/(<br>\n?)+$/, '')}</blockquote>\n`;
      continue;
    }
    if (isListItem(line)) {
      const [html, next] = renderList(lines, i);
      out += html;
      i = next;
      continue;
    }
    if (line.includes('|') && isTableSeparator(lines[i + 1] ?? '')) {
      const [html, next] = renderTable(lines, i);
      out += html;
      i = next;
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && !startsBlock(lines, i)) paragraph.push(lines[i++] ?? '');
    out += `${renderParagraph(paragraph)}<br>\n<br>\n`;
  }
  return out.replace(/<br>\n<br>\n$/, '<br>\n');
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i] ?? '';
  return /^\s{0,3}(`{3,}|~{3,}|#{1,6}\s|>)/.test(line)
    || isListItem(line)
    || /^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)
    || (line.includes('|') && isTableSeparator(lines[i + 1] ?? ''));
}

function renderParagraph(lines: string[]): string {
  // A line ending in two spaces or a backslash is a hard break; others join with a space.
  return lines.map((l, n) => {
    const hard = / {2,}$|\\$/.test(l) && n < lines.length - 1;
    return renderInline(l.replace(/( {2,}|\\)$/, '').trim()) + (hard ? '<br>\n' : n < lines.length - 1 ? ' ' : '');
  }).join('');
}

const LIST_ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;

function isListItem(line: string): boolean {
  return LIST_ITEM.test(line);
}

function renderList(lines: string[], start: number): [string, number] {
  const first = LIST_ITEM.exec(lines[start] ?? '');
  const indent = first?.[1]?.length ?? 0;
  const ordered = /\d/.test(first?.[2] ?? '');
  const startNumber = ordered ? Number.parseInt(first?.[2] ?? '1', 10) : 1;
  const items: string[] = [];
  let i = start;
  while (i < lines.length) {
    const match = LIST_ITEM.exec(lines[i] ?? '');
    if (match === null || (match[1]?.length ?? 0) !== indent) break;
    let item = renderInline(taskBox(match[3] ?? ''));
    i += 1;
    const nested: string[] = [];
    while (i < lines.length) {
      const next = lines[i] ?? '';
      const nextItem = LIST_ITEM.exec(next);
      const nextIndent = /^\s*/.exec(next)?.[0].length ?? 0;
      if (next.trim() === '' || (nextItem !== null && nextIndent <= indent) || (nextItem === null && nextIndent <= indent)) break;
      nested.push(next);
      i += 1;
    }
    if (nested.length > 0) {
      const continuation = nested.filter((l) => !isListItem(l)).length === nested.length;
      item += continuation ? ` ${renderInline(nested.map((l) => l.trim()).join(' '))}` : renderBlocks(nested).replace(/(<br>\n?)+$/, '').trimEnd();
    }
    items.push(`<li>${item}</li>`);
    while (i < lines.length && (lines[i] ?? '').trim() === '' && LIST_ITEM.test(lines[i + 1] ?? '') && ((LIST_ITEM.exec(lines[i + 1] ?? '')?.[1]?.length ?? 0) === indent)) i += 1;
  }
  const tag = ordered ? 'ol' : 'ul';
  const startAttr = ordered && startNumber !== 1 ? ` start="${startNumber}"` : '';
  return [`<${tag}${startAttr}>${items.join('')}</${tag}>\n`, i];
}

function taskBox(text: string): string {
  return text.replace(/^\[ \]\s+/, '\u2610 ').replace(/^\[[xX]\]\s+/, '\u2611 ');
}

function isTableSeparator(line: string): boolean {
  return /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(line) && line.includes('-');
}

/** Splits a table row on pipes that are not escaped and not inside a code span. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  const text = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    if (c === '\\' && text[i + 1] === '|') {
      cell += '|';
      i += 1;
    } else if (c === '`') {
      inCode = !inCode;
      cell += c;
    } else if (c === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

function renderTable(lines: string[], start: number): [string, number] {
  const header = splitRow(lines[start] ?? '');
  const width = splitRow(lines[start + 1] ?? '').length;
  const fit = (cells: string[]): string[] => Array.from({ length: width }, (_, n) => cells[n] ?? '');
  const row = (cells: string[], tag: 'th' | 'td'): string =>
    `<tr>${fit(cells).map((c) => `<${tag} style="${CELL_STYLE}">${renderInline(c)}</${tag}>`).join('')}</tr>`;
  const rows = [row(header, 'th')];
  let i = start + 2;
  while (i < lines.length && (lines[i] ?? '').includes('|') && (lines[i] ?? '').trim() !== '') rows.push(row(splitRow(lines[i++] ?? ''), 'td'));
  return [`<table style="${TABLE_STYLE}">${rows.join('')}</table>\n`, i];
}

const SAFE_URL = /^(https?:|mailto:)/i;

/** Inline Markdown: code spans first (their content is literal), then links, bare URLs and emphasis. */
function renderInline(text: string): string {
  const tokens: string[] = [];
  const keep = (html: string): string => {
    tokens.push(html);
    return `\u0000${tokens.length - 1}\u0000`;
  };
  let work = text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, code: string) => keep(`<code>${escapeHtml(code.trim())}</code>`));
  work = work.replace(/!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (whole, label: string, url: string) => {
    if (!SAFE_URL.test(url)) return whole;
    const shown = label === '' ? url : label;
    return keep(`<a href="${escapeHtml(url)}">${renderEmphasis(escapeHtml(shown))}</a>`);
  });
  // eslint-disable-next-line no-control-regex -- a bare URL must not run into a placeholder
  work = work.replace(/<(https?:\/\/[^>\s]+)>|\bhttps?:\/\/[^\s<>()\u0000]*[^\s<>().,;:!?'"\u0000]/g, (whole, bracketed?: string) => {
    const url = bracketed ?? whole;
    return keep(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`);
  });
  const html = renderEmphasis(escapeHtml(work));
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or delimits
  return html.replace(/\u0000(\d+)\u0000/g, (_, n: string) => tokens[Number(n)] ?? '');
}

function renderEmphasis(html: string): string {
  return html
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/__(?=\S)([\s\S]*?\S)__/g, '<strong>$1</strong>')
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '<del>$1</del>')
    .replace(/(^|[^*\w])\*(?=\S)([^*]*?\S)\*(?![*\w])/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_(?=\S)([^_]*?\S)_(?![_\w])/g, '$1<em>$2</em>');
}
