/**
 * One-line descriptions of tool calls and their results for the transcript.
 * Claude Code's tool inputs are JSON objects whose interesting field depends
 * on the tool; unknown tools fall back to their first string field.
 */

/** The input field that says most about a call of each well-known tool. */
const KEY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Bash: ['command'],
  Read: ['file_path'],
  Write: ['file_path'],
  Edit: ['file_path'],
  MultiEdit: ['file_path'],
  NotebookEdit: ['notebook_path'],
  Glob: ['pattern', 'path'],
  Grep: ['pattern', 'path'],
  WebFetch: ['url'],
  WebSearch: ['query'],
  Task: ['description'],
  TodoWrite: [],
};

/** Longest summary shown; the transcript is one line per call. */
const MAX_SUMMARY = 100;

/**
 * A single line saying what a tool call does, e.g. `echo hi > x.txt` for Bash
 * or `src/index.ts` for Read. Never longer than {@link MAX_SUMMARY} characters.
 */
export function summarizeToolInput(name: string, input: unknown): string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return clip(oneLine(JSON.stringify(input) ?? ''));
  const record = input as Record<string, unknown>;
  const keys = KEY_FIELDS[name];
  if (keys !== undefined) {
    const parts = keys.map((key) => record[key]).filter((v): v is string => typeof v === 'string' && v !== '');
    if (parts.length > 0) return clip(oneLine(parts.join(' in ')));
    if (name === 'TodoWrite' && Array.isArray(record.todos)) return `${record.todos.length} todos`;
  }
  const firstString = Object.values(record).find((v): v is string => typeof v === 'string' && v !== '');
  return clip(oneLine(firstString ?? JSON.stringify(record)));
}

/**
 * The text of a tool result: a string as is, or the text blocks of an array
 * joined by newlines; other blocks (images) are named, not dumped.
 */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((block: unknown) => {
      if (typeof block !== 'object' || block === null) return String(block);
      const record = block as Record<string, unknown>;
      if (record.type === 'text' && typeof record.text === 'string') return record.text;
      return `[${typeof record.type === 'string' ? record.type : 'block'}]`;
    })
    .join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ').replace(/\s+/g, ' ').trim();
}

function clip(text: string): string {
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
