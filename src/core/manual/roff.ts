/**
 * Escapes free text for a roff body line: backslashes, and a leading `.` or `'`
 * that would otherwise be read as a request.
 */
export function roffText(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** Escapes text and marks ASCII hyphens as minus signs, for option names and commands. */
export function roffLiteral(text: string): string {
  return roffText(text).replace(/-/g, '\\-');
}

/** Bold span. */
export function bold(text: string): string {
  return `\\fB${roffLiteral(text)}\\fR`;
}

/** Italic span. */
export function italic(text: string): string {
  return `\\fI${roffText(text)}\\fR`;
}

/** A paragraph of free text; blank lines in `text` become paragraph breaks. */
export function paragraphs(text: string): string[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .flatMap((para, index) => [...(index > 0 ? ['.PP'] : []), roffText(para.replace(/\s*\n\s*/g, ' '))]);
}

/** A tagged paragraph: a bold-ish tag line followed by indented text. */
export function taggedParagraph(tag: string, text: string): string[] {
  return ['.TP', tag, ...paragraphs(text || '-')];
}
