/**
 * Claude's Markdown as Slack mrkdwn. Slack has no headings, tables or nested
 * list syntax and uses single-character emphasis, so those are translated;
 * code spans and fences keep their content (only `&`, `<`, `>` are escaped,
 * as Slack requires everywhere, which also keeps a hand-written `<@U123>`
 * from pinging anyone).
 */
import { displayWidth } from './text-width.js';

const FENCE = /^\s*(```+|~~~+)/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const RULE = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const BULLETS = ['•', '◦', '▪'];

/** Converts Markdown to Slack mrkdwn. */
export function markdownToMrkdwn(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let listIndents: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence?.[1] !== undefined) {
      const marker = fence[1];
      out.push('```');
      let j = i + 1;
      while (j < lines.length && !(lines[j] ?? '').trimStart().startsWith(marker)) {
        out.push(escapeText(lines[j] ?? ''));
        j++;
      }
      out.push('```');
      i = j;
      listIndents = [];
      continue;
    }
    if (line.trimStart().startsWith('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-')) {
      const rows = [tableCells(line)];
      let j = i + 2;
      while (j < lines.length && (lines[j] ?? '').trimStart().startsWith('|')) {
        rows.push(tableCells(lines[j] ?? ''));
        j++;
      }
      out.push(...renderTable(rows));
      i = j - 1;
      listIndents = [];
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading?.[1] !== undefined) {
      out.push(`*${inline(heading[1].replace(/\*\*|__/g, ''))}*`);
      listIndents = [];
      continue;
    }
    if (RULE.test(line)) {
      out.push('──────────');
      listIndents = [];
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item?.[1] !== undefined && item[2] !== undefined && item[3] !== undefined) {
      const indent = item[1].replace(/\t/g, '    ').length;
      while (listIndents.length > 0 && (listIndents.at(-1) ?? 0) > indent) listIndents.pop();
      if (listIndents.length === 0 || (listIndents.at(-1) ?? 0) < indent) listIndents.push(indent);
      const level = listIndents.length - 1;
      const ordered = /\d/.test(item[2]);
      const marker = ordered ? item[2].replace(')', '.') : BULLETS[Math.min(level, BULLETS.length - 1)] ?? '•';
      out.push(`${'    '.repeat(level)}${marker} ${inline(taskBox(item[3]))}`);
      continue;
    }
    const quote = QUOTE.exec(line);
    if (quote?.[1] !== undefined) {
      out.push(`>${quote[1] === '' ? '' : ' '}${inline(quote[1])}`);
      continue;
    }
    if (line.trim() !== '' && !/^\s/.test(line)) listIndents = [];
    out.push(inline(line));
  }
  return out.join('\n');
}

function taskBox(text: string): string {
  return text.replace(/^\[ \]\s+/, '☐ ').replace(/^\[[xX]\]\s+/, '☑ ');
}

/** `&`, `<` and `>` are Slack's control characters in every part of a message. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Private-use characters stand in for finished pieces, so later emphasis rules
// cannot see the `*` and `_` inside code, URLs or already-converted bold.
const HOLD_OPEN = '\uE000';
const HOLD_CLOSE = '\uE001';
const BOLD = '\uE002';

/** Inline Markdown of one line as mrkdwn. */
function inline(text: string): string {
  const held: string[] = [];
  const hold = (piece: string): string => `${HOLD_OPEN}${held.push(piece) - 1}${HOLD_CLOSE}`;
  let s = text.replace(/`[^`\n]+`/g, (code) => hold(escapeText(code)));
  s = s.replace(/\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, (_m, label: string, url: string) =>
    hold(`<${escapeUrl(url)}|${escapeText(label.replace(/\*\*|__|`/g, ''))}>`));
  s = s.replace(/<((?:https?|mailto):[^>\s]+)>/g, (_m, url: string) => hold(`<${escapeUrl(url)}>`));
  s = s.replace(/\bhttps?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/g, (url) => hold(escapeText(url)));
  s = escapeText(s);
  s = s.replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/(?<!\w)__(?=\S)([^\n]*?\S)__(?!\w)/g, `${BOLD}$1${BOLD}`);
  s = s.replace(/(?<![\w*\\])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/g, '_$1_');
  s = s.replace(/~~(?=\S)([^\n]*?\S)~~/g, '~$1~');
  s = s.replaceAll(BOLD, '*');
  return s.replace(new RegExp(`${HOLD_OPEN}(\\d+)${HOLD_CLOSE}`, 'g'), (_m, index: string) => held[Number(index)] ?? '');
}

/** A URL inside `<...|...>` may not hold `|` or `>` literally. */
function escapeUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

function tableCells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return trimmed.split(/(?<!\\)\|/).map((cell) => plainCell(cell.trim().replace(/\\\|/g, '|')));
}

/** Cells go into a code block, where emphasis would show as literal marks. */
function plainCell(cell: string): string {
  return cell
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/\*\*|__|~~|`/g, '')
    .replace(/(?<!\w)[*_](\S[^*_]*?)[*_](?!\w)/g, '$1');
}

/** A Markdown table as a code block with columns aligned by display width. */
function renderTable(rows: string[][]): string[] {
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
