/** One line of a diff: kept (' '), removed ('-') or added ('+'). */
export interface DiffLine {
  mark: ' ' | '-' | '+';
  text: string;
}

const MAX_CELLS = 4_000_000;

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line-by-line edit script: common prefix and suffix kept, the middle by longest common subsequence. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const middle: DiffLine[] = [];
  if ((midA.length + 1) * (midB.length + 1) > MAX_CELLS) {
    // Too large to align cheaply (a config never is): show it as replaced.
    for (const text of midA) middle.push({ mark: '-', text });
    for (const text of midB) middle.push({ mark: '+', text });
  } else {
    const cols = midB.length + 1;
    const lcs = new Uint32Array((midA.length + 1) * cols);
    for (let i = midA.length - 1; i >= 0; i--) {
      for (let j = midB.length - 1; j >= 0; j--) {
        lcs[i * cols + j] = midA[i] === midB[j] ? (lcs[(i + 1) * cols + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * cols + j] ?? 0, lcs[i * cols + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < midA.length || j < midB.length) {
      if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
        middle.push({ mark: ' ', text: midA[i] ?? '' });
        i++;
        j++;
      } else if (i < midA.length && (j === midB.length || (lcs[(i + 1) * cols + j] ?? 0) >= (lcs[i * cols + j + 1] ?? 0))) {
        middle.push({ mark: '-', text: midA[i] ?? '' });
        i++;
      } else {
        middle.push({ mark: '+', text: midB[j] ?? '' });
        j++;
      }
    }
  }
  return [
    ...a.slice(0, start).map((text): DiffLine => ({ mark: ' ', text })),
    ...middle,
    ...a.slice(endA).map((text): DiffLine => ({ mark: ' ', text })),
  ];
}

function range(start: number, count: number): string {
  // Unified diff numbers an empty range by the line before it.
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/**
 * A unified diff (`---`/`+++` header, `@@` hunks with `context` lines around
 * each change) from `before` to `after`; `''` when they are equal.
 */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  const lines = diffLines(splitLines(before), splitLines(after));
  const changed = lines.map((line, index) => (line.mark === ' ' ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0) return '';
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let index = 0;
  while (index < changed.length) {
    const first = changed[index] ?? 0;
    let last = first;
    while (index + 1 < changed.length && (changed[index + 1] ?? 0) - last <= 2 * context + 1) last = changed[++index] ?? last;
    index++;
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length, last + context + 1);
    let oldLine = 1;
    let newLine = 1;
    for (const line of lines.slice(0, from)) {
      if (line.mark !== '+') oldLine++;
      if (line.mark !== '-') newLine++;
    }
    const hunk = lines.slice(from, to);
    const oldCount = hunk.filter((line) => line.mark !== '+').length;
    const newCount = hunk.filter((line) => line.mark !== '-').length;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`);
    for (const line of hunk) out.push(`${line.mark}${line.text}`);
  }
  return `${out.join('\n')}\n`;
}
