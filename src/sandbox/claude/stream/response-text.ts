import type { AssistantEvent, ClaudeEvent, ResultEvent } from './events.js';

/** Shown when a successful run produced no text at all. */
export const NO_OUTPUT_TEXT = 'No output received from Claude.';

/** How many earlier assistant texts may anchor the reply (see {@link selectResponseText}). */
const LOOKBACK = 4;
/** How much longer than the last text an earlier one must be to anchor the reply. */
const SUBSTANTIVE_RATIO = 4;
/** Error summaries keep this many trailing lines. */
const SUMMARY_LINES = 10;

/**
 * Picks the text a user gets back from a successful run.
 *
 * - Several result events (work that finished after the first result): their
 *   texts joined by a blank line.
 * - Otherwise the last assistant text, unless one of the 4 texts before it is
 *   at least 4 times longer: then the latest such text and everything after it.
 *   This keeps a real answer that the model sent next to a tool call and then
 *   closed with a short "Done." after the tool ran.
 * - Then the last result text, then {@link NO_OUTPUT_TEXT}.
 *
 * Messages of subagents (those with a parent tool call) are never the reply:
 * they are addressed to the main agent, not to the user.
 */
export function selectResponseText(events: readonly ClaudeEvent[]): string {
  const results = events.filter((e): e is ResultEvent => e.type === 'result');
  if (results.length > 1) {
    const texts = results.map((r) => r.resultText).filter((t) => t !== '');
    if (texts.length > 0) return texts.join('\n\n');
  }
  const texts = events
    .filter((e): e is AssistantEvent => e.type === 'assistant' && e.parentToolUseId === undefined)
    .map(assistantText)
    .filter((t) => t !== '');
  const reply = pickReply(texts);
  if (reply !== undefined) return reply;
  const lastResult = results.at(-1)?.resultText ?? '';
  return lastResult !== '' ? lastResult : NO_OUTPUT_TEXT;
}

/**
 * A short account of what went wrong, for a failed run: the last non-empty
 * result text, else every assistant text, else the tail of stderr. Only the
 * last 10 lines are kept. Undefined when there is nothing at all.
 */
export function summarizeError(events: readonly ClaudeEvent[], stderrTail: string): string | undefined {
  const results = events.filter((e): e is ResultEvent => e.type === 'result');
  for (const result of results.reverse()) {
    const text = result.resultText.trim() !== '' ? result.resultText : result.errors.join('\n');
    if (text.trim() !== '') return lastLines(text, SUMMARY_LINES);
  }
  const texts: string[] = [];
  for (const event of events) {
    if (event.type !== 'assistant') continue;
    for (const block of event.content) {
      if (block.type === 'text' && block.text.trim() !== '') texts.push(block.text.trim());
    }
  }
  if (texts.length > 0) return lastLines(texts.join('\n'), SUMMARY_LINES);
  if (stderrTail.trim() !== '') return lastLines(stderrTail, SUMMARY_LINES);
  return undefined;
}

/** Keeps the last `count` lines of `text` (surrounding whitespace trimmed first). */
export function lastLines(text: string, count: number): string {
  const lines = text.trim().split('\n');
  return lines.slice(-count).join('\n');
}

function assistantText(event: AssistantEvent): string {
  return event.content
    .flatMap((block) => (block.type === 'text' && block.text !== '' ? [block.text] : []))
    .join('\n\n');
}

function pickReply(texts: readonly string[]): string | undefined {
  const last = texts.at(-1);
  if (last === undefined) return undefined;
  const threshold = SUBSTANTIVE_RATIO * codePoints(last);
  const lastIndex = texts.length - 1;
  let anchor: number | undefined;
  for (let i = Math.max(0, lastIndex - LOOKBACK); i < lastIndex; i++) {
    if (codePoints(texts[i] ?? '') >= threshold) anchor = i;
  }
  return anchor === undefined ? last : texts.slice(anchor).join('\n\n');
}

/** Length in characters as a person counts them, so emoji-heavy replies are not over-weighted. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
