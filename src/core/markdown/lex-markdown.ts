import { Lexer, type Token, type Tokens } from 'marked';

export type { Token, Tokens };

/** Line ends as `\n`; NUL removed (no renderer may see it, and marked would turn it into U+FFFD). */
function normalize(text: string): string {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what this removes
  return text.replace(/\u0000/g, '').replace(/\r\n?/g, '\n');
}

/**
 * Claude's Markdown as marked's GitHub-flavoured tokens: the one parser the
 * email, Slack and terminal renderers share. Raw HTML comes out as `html`
 * tokens, which every renderer shows as text.
 */
export function lexMarkdown(text: string): Token[] {
  return new Lexer({ gfm: true }).lex(normalize(text));
}

/** One line of inline Markdown as tokens (emphasis, code spans, links). */
export function lexInline(text: string): Token[] {
  return Lexer.lexInline(normalize(text), { gfm: true });
}

/**
 * The blocks of a token list with the number of blank lines written before
 * each, so a renderer that keeps the writer's spacing (Slack) can, while
 * `space` tokens are dropped.
 */
export function blocksWithSpacing(tokens: readonly Token[]): { token: Token; blankLinesBefore: number }[] {
  const blocks: { token: Token; blankLinesBefore: number }[] = [];
  let newlines = 0;
  for (const token of tokens) {
    if (token.type === 'space') {
      newlines += (token.raw.match(/\n/g) ?? []).length;
      continue;
    }
    blocks.push({ token, blankLinesBefore: blocks.length === 0 ? 0 : Math.max(0, newlines - 1) });
    newlines = (/\n*$/.exec(token.raw)?.[0].length ?? 0);
  }
  return blocks;
}

/** The text of inline tokens without any markup: a link's label, a code span's content. */
export function plainText(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map((token) => {
    if ('tokens' in token && Array.isArray(token.tokens) && token.type !== 'codespan') return plainText(token.tokens);
    if (token.type === 'br') return '\n';
    if (token.type === 'escape' || token.type === 'codespan' || token.type === 'text' || token.type === 'html') return (token as { text: string }).text;
    return token.raw;
  }).join('');
}

/** Link targets a reply may carry: http(s) and mail; anything else (javascript:, data:, file:) stays text. */
export function isSafeUrl(url: string): boolean {
  return /^(https?:|mailto:)/i.test(url.trim());
}
