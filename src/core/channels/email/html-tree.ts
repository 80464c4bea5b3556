/**
 * A small, forgiving HTML tree builder for mail bodies. Mail HTML is messy and
 * only read, never re-emitted, so a tolerant tokenizer is enough: unknown
 * closing tags are ignored and unclosed elements end with their parent.
 */

/** An element with lower-cased name and attributes. */
export interface HtmlElement {
  type: 'element';
  name: string;
  attrs: Record<string, string>;
  children: HtmlNode[];
}

/** Decoded text. */
export interface HtmlText {
  type: 'text';
  text: string;
}

/** A node of the tree. */
export type HtmlNode = HtmlElement | HtmlText;

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea']);
const TOKEN = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]*>|<\?[^>]*>|<\/?([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** Parses `html` into a root element named `#root`. */
export function parseHtml(html: string): HtmlElement {
  const root: HtmlElement = { type: 'element', name: '#root', attrs: {}, children: [] };
  const stack: HtmlElement[] = [root];
  let last = 0;
  const top = (): HtmlElement => stack[stack.length - 1] ?? root;
  const pushText = (raw: string): void => {
    if (raw !== '') top().children.push({ type: 'text', text: decodeEntities(raw) });
  };
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(html); match !== null; match = TOKEN.exec(html)) {
    pushText(html.slice(last, match.index));
    last = TOKEN.lastIndex;
    const name = match[1]?.toLowerCase();
    if (name === undefined) continue;
    const token = match[0];
    if (token.startsWith('</')) {
      const at = stack.map((e) => e.name).lastIndexOf(name);
      if (at > 0) stack.length = at;
      continue;
    }
    const element: HtmlElement = { type: 'element', name, attrs: readAttrs(match[2] ?? ''), children: [] };
    top().children.push(element);
    if (RAW_TEXT.has(name)) {
      // Script and style bodies are not markup; skip to their end tag.
      const close = html.toLowerCase().indexOf(`</${name}`, last);
      const end = close < 0 ? html.length : close;
      element.children.push({ type: 'text', text: html.slice(last, end) });
      const gt = close < 0 ? html.length : html.indexOf('>', close);
      last = gt < 0 ? html.length : gt + 1;
      TOKEN.lastIndex = last;
      continue;
    }
    if (!VOID.has(name) && !token.endsWith('/>')) stack.push(element);
  }
  pushText(html.slice(last));
  return root;
}

function readAttrs(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  ATTR.lastIndex = 0;
  for (let m = ATTR.exec(text); m !== null; m = ATTR.exec(text)) {
    const key = m[1]?.toLowerCase();
    if (key !== undefined) attrs[key] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '\u00a9', reg: '\u00ae', trade: '\u2122',
  hellip: '\u2026', mdash: '\u2014', ndash: '\u2013', lsquo: '\u2018', rsquo: '\u2019', ldquo: '\u201c', rdquo: '\u201d',
  bull: '\u2022', middot: '\u00b7', euro: '\u20ac', pound: '\u00a3', laquo: '\u00ab', raquo: '\u00bb', shy: '',
  zwnj: '\u200c', zwj: '\u200d', times: '\u00d7', deg: '\u00b0',
};

/** Decodes numeric and common named character references. Unknown names stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);?/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
