/** A piece of mrkdwn: either code (fence or span, to be left alone) or prose. */
export interface Segment {
  code: boolean;
  text: string;
}

/**
 * Cuts rendered mrkdwn into code and prose, so later passes (mention
 * rewriting) never touch what Claude put in code.
 */
export function splitCode(text: string): Segment[] {
  const segments: Segment[] = [];
  const pattern = /```[\s\S]*?```|`[^`\n]+`/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) segments.push({ code: false, text: text.slice(last, match.index) });
    segments.push({ code: true, text: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) segments.push({ code: false, text: text.slice(last) });
  return segments;
}
