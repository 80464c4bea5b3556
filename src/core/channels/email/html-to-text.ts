/**
 * Turns a mail's HTML body into Markdown-ish text for the prompt, dropping the
 * quoted history mail clients append (Gmail, Outlook, Apple Mail, Thunderbird,
 * Yahoo). A quote followed by new text (an inline reply) is kept as `> ` lines;
 * a trailing quote becomes one `[quoted text removed]` line.
 */
import { parseHtml, type HtmlElement, type HtmlNode } from './html-tree.js';

const QUOTE_MARK = '\u0000Q';
const DROPPED = new Set(['script', 'style', 'head', 'title', 'template']);
const BLOCK = new Set(['div', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'center', 'form', 'address', 'dl', 'dt', 'dd', 'figure', 'figcaption']);

/** Converts HTML to text with quoted history stripped. */
export function htmlToText(html: string): string {
  const quotes: string[] = [];
  const state: RenderState = { quotes, inPre: false, boundaryQuote: undefined };
  const body = render(parseHtml(html), state);
  const text = state.boundaryQuote === undefined ? body : body + mark(quotes, state.boundaryQuote);
  return tidy(resolveQuotes(text, quotes));
}

interface RenderState {
  quotes: string[];
  inPre: boolean;
  /** Once an Outlook reply boundary is seen, everything after it is collected here. */
  boundaryQuote: string | undefined;
  /** Inside a quote nested quotes are plain content, so quotes never hold markers. */
  inQuote?: boolean;
}

function render(node: HtmlNode, state: RenderState): string {
  if (node.type === 'text') return state.inPre ? node.text : node.text.replace(/[ \t\r\n\f\u00a0]+/g, ' ');
  return renderElement(node, state);
}

function renderChildren(element: HtmlElement, state: RenderState): string {
  let out = '';
  for (const child of element.children) {
    if (state.boundaryQuote !== undefined) {
      state.boundaryQuote += render(child, { ...state, boundaryQuote: undefined, inQuote: true });
      continue;
    }
    if (child.type === 'element' && isBoundary(child)) {
      state.boundaryQuote = render(child, { ...state, boundaryQuote: undefined, inQuote: true });
      continue;
    }
    out += render(child, state);
  }
  return out;
}

function renderElement(el: HtmlElement, state: RenderState): string {
  if (DROPPED.has(el.name)) return '';
  if (state.inQuote !== true && isQuoteContainer(el)) {
    return mark(state.quotes, renderChildren(el, { ...state, boundaryQuote: undefined, inQuote: true }));
  }
  const inner = (): string => renderChildren(el, state);
  switch (el.name) {
    case 'br': return '\n';
    case 'hr': return '\n\n---\n\n';
    case 'p': return `\n\n${inner().trim()}\n\n`;
    case 'b': case 'strong': return wrap(inner(), '**');
    case 'i': case 'em': return wrap(inner(), '*');
    case 'code': return state.inPre ? inner() : wrap(inner(), '`');
    case 'pre': {
      const text = renderChildren(el, { ...state, inPre: true }).replace(/\n+$/, '');
      return `\n\n\`\`\`\n${text}\n\`\`\`\n\n`;
    }
    case 'a': {
      const text = inner().trim();
      const href = el.attrs.href ?? '';
      if (href === '' || href.startsWith('#')) return text;
      if (text === '' || text === href) return href;
      return `[${text}](${href})`;
    }
    case 'img': return el.attrs.alt ?? '';
    case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6':
      return `\n\n${'#'.repeat(Number(el.name[1]))} ${inner().trim()}\n\n`;
    case 'ul': case 'ol': return `\n${renderList(el, state)}\n`;
    case 'table': return `\n\n${renderTable(el, state)}\n\n`;
    case 'blockquote': return `\n${prefixLines(inner().trim(), '> ')}\n`;
    default:
      return BLOCK.has(el.name) ? `\n${inner()}\n` : inner();
  }
}

function renderList(list: HtmlElement, state: RenderState): string {
  const lines: string[] = [];
  let n = Number.parseInt(list.attrs.start ?? '1', 10);
  if (!Number.isFinite(n)) n = 1;
  for (const child of list.children) {
    if (child.type !== 'element') continue;
    const text = renderChildren(child, state).replace(/\n{2,}/g, '\n').trim();
    if (text === '') continue;
    const bullet = list.name === 'ol' ? `${n++}. ` : '- ';
    const [first = '', ...rest] = text.split('\n');
    lines.push(bullet + first, ...rest.map((l) => `  ${l}`));
  }
  return lines.join('\n');
}

function renderTable(table: HtmlElement, state: RenderState): string {
  const rows = collect(table, 'tr');
  const out: string[] = [];
  rows.forEach((row, index) => {
    const cells = row.children.filter((c): c is HtmlElement => c.type === 'element' && (c.name === 'td' || c.name === 'th'));
    out.push(`| ${cells.map((c) => renderChildren(c, state).replace(/\s+/g, ' ').trim()).join(' | ')} |`);
    if (index === 0 && cells.some((c) => c.name === 'th')) out.push(`| ${cells.map(() => '---').join(' | ')} |`);
  });
  return out.join('\n');
}

function collect(el: HtmlElement, name: string): HtmlElement[] {
  const found: HtmlElement[] = [];
  for (const child of el.children) {
    if (child.type !== 'element') continue;
    if (child.name === name) found.push(child);
    else if (child.name !== 'table') found.push(...collect(child, name));
  }
  return found;
}

function isQuoteContainer(el: HtmlElement): boolean {
  const id = (el.attrs.id ?? '').toLowerCase();
  const classes = (el.attrs.class ?? '').toLowerCase().split(/\s+/);
  if (el.name === 'blockquote' && (el.attrs.type ?? '').toLowerCase() === 'cite') return true;
  if (el.name !== 'div') return false;
  return id === 'mail-editor-reference-message-container'
    || classes.includes('gmail_quote')
    || classes.includes('yahoo_quoted')
    || classes.includes('moz-cite-prefix');
}

function isBoundary(el: HtmlElement): boolean {
  return el.name === 'div' && (el.attrs.id ?? '').toLowerCase() === 'divrplyfwdmsg';
}

function mark(quotes: string[], text: string): string {
  quotes.push(text);
  return `${QUOTE_MARK}${quotes.length - 1}\u0000`;
}

/** Replaces quote markers: inline quotes become `> ` lines, a trailing run of quotes one placeholder line. */
function resolveQuotes(text: string, quotes: readonly string[]): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or delimits
  const parts = text.split(/\u0000Q(\d+)\u0000/);
  let out = '';
  let pending: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? '';
    if (i % 2 === 1) {
      pending.push(quotes[Number(part)] ?? '');
      continue;
    }
    if (part.trim() !== '' && pending.length > 0) {
      out += `\n${prefixLines(tidy(pending.join('\n')), '> ')}\n`;
      pending = [];
    }
    out += part;
  }
  if (pending.length > 0) out += '\n\n[quoted text removed]';
  return out;
}

function wrap(text: string, marker: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? text : `${marker}${trimmed}${marker}`;
}

function prefixLines(text: string, prefix: string): string {
  return text.split('\n').map((l) => (l === '' ? prefix.trimEnd() : prefix + l)).join('\n');
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+$/, '').replace(/^ (?=\S)/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
