import { parseDocument } from 'yaml';
import { configTags } from '../tags.js';
import { diffLines, splitLines } from './line-diff.js';

function normalise(text: string): string | undefined {
  const document = parseDocument(text, { customTags: configTags, prettyErrors: false });
  return document.errors.length > 0 ? undefined : document.toString({ lineWidth: 0 });
}

/**
 * The YAML library re-prints a whole file when it saves an edited Document,
 * evening out spacing (`key:   value  # note` becomes `key: value # note`).
 * This puts the operator's own text back on every line the edit did not
 * touch: `reprinted` is the unedited file as the library prints it, `edited`
 * the printed result; lines of `edited` that equal a line of `reprinted` take
 * the original line at the same place. Used only when the library keeps the
 * line structure, and only when the result still reads as `edited` does;
 * otherwise `edited` is returned as it is.
 */
export function keepLayout(original: string, reprinted: string, edited: string): string {
  const originalLines = splitLines(original);
  const reprintedLines = splitLines(reprinted);
  if (originalLines.length !== reprintedLines.length) return edited;
  const out: string[] = [];
  let index = 0;
  for (const line of diffLines(reprintedLines, splitLines(edited))) {
    if (line.mark === ' ') out.push(originalLines[index++] ?? line.text);
    else if (line.mark === '-') index++;
    else out.push(line.text);
  }
  const merged = out.length === 0 ? '' : `${out.join('\n')}\n`;
  return normalise(merged) === edited ? merged : edited;
}
