/**
 * Quoted history at the end of a plain-text reply: a trailing block of `>`
 * lines, optionally introduced by an attribution line ("On <date>, X wrote:"),
 * or everything after an Outlook "-----Original Message-----" separator.
 * Quotes followed by new text (inline replies) are left alone.
 */

const ATTRIBUTION = /^(On\b.*|Am\b.*|Le\b.*|El\b.*).*(wrote|schrieb|a écrit|escribió)\s*:\s*$/i;
const ORIGINAL = /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$/i;

/** Removes trailing quoted history from `text`, leaving `[quoted text removed]` in its place. */
export function stripPlainTextQuotes(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const original = lines.findIndex((l) => ORIGINAL.test(l.trim()));
  let cut = original >= 0 ? original : lines.length;
  if (original < 0) {
    let i = lines.length - 1;
    while (i >= 0 && (lines[i] ?? '').trim() === '') i -= 1;
    const lastContent = i;
    while (i >= 0 && ((lines[i] ?? '').startsWith('>') || (lines[i] ?? '').trim() === '')) i -= 1;
    if (i === lastContent) return text.trim();
    cut = i + 1;
    // An attribution may be wrapped over two lines by the sending client.
    for (const back of [0, 1]) {
      const candidate = lines.slice(i - back, i + 1).join(' ').trim();
      if (i - back >= 0 && ATTRIBUTION.test(candidate)) {
        cut = i - back;
        break;
      }
    }
  }
  const kept = lines.slice(0, cut).join('\n').trim();
  return kept === '' ? text.trim() : `${kept}\n\n[quoted text removed]`;
}
