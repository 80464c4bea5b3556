import type { PlanItem, TaskEnd } from '../channel.js';

/** Slack's limit on the text of one section block. */
export const SECTION_LIMIT = 3000;
/** How much of the plan goes into a message's `text` (the notification and fallback). */
export const FALLBACK_LIMIT = 200;

const MARKS: Record<PlanItem['status'], string> = { pending: '⚪', in_progress: '🔄', completed: '✅' };
const ENDINGS: Record<TaskEnd, string> = { completed: 'done', failed: 'failed', stopped: 'stopped' };

/** The plan message as Slack takes it: mrkdwn section blocks and their fallback text. */
export interface PlanMessage {
  text: string;
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[];
}

/**
 * The plan as a thread message: a heading (with how the task ended, once it
 * has), then one line per item, `{mark}  {text}`, the item being worked on in
 * its present-continuous form. Claude's words are escaped, so a `<@U…>` or
 * `<!channel>` in a todo stays inert.
 */
export function renderPlan(items: readonly PlanItem[], end?: TaskEnd): PlanMessage {
  const heading = end === undefined ? '*Plan*' : `*Plan* (${ENDINGS[end]})`;
  const lines = [heading, ...items.map((item) => `${MARKS[item.status]}  ${escapeMrkdwn(itemText(item))}`)];
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    const piece = line.length > SECTION_LIMIT ? `${line.slice(0, SECTION_LIMIT - 1)}…` : line;
    if (current !== '' && current.length + 1 + piece.length > SECTION_LIMIT) {
      sections.push(current);
      current = '';
    }
    current = current === '' ? piece : `${current}\n${piece}`;
  }
  sections.push(current);
  const all = lines.join('\n');
  return {
    text: all.length > FALLBACK_LIMIT ? `${all.slice(0, FALLBACK_LIMIT - 1)}…` : all,
    blocks: sections.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  };
}

/**
 * The DM status while `items` are being worked on: the item in progress, as
 * Slack shows it after the app's name ("Airut is running the tests...");
 * undefined when nothing is in progress.
 */
export function planStatus(items: readonly PlanItem[]): string | undefined {
  const current = items.find((item) => item.status === 'in_progress');
  if (current === undefined) return undefined;
  const text = itemText(current).replace(/\s+/g, ' ').trim().replace(/[.…]+$/, '');
  // "Running" -> "running", but an acronym such as "CI" keeps its case.
  const lowered = /^[A-Z][a-z]/.test(text) ? `${text.charAt(0).toLowerCase()}${text.slice(1)}` : text;
  const status = `is ${lowered}...`;
  return status.length > 100 ? `${status.slice(0, 96)}...` : status;
}

function itemText(item: PlanItem): string {
  return item.status === 'in_progress' && item.activeForm !== undefined && item.activeForm.trim() !== '' ? item.activeForm : item.content;
}

/** Slack's three control characters in message text. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
