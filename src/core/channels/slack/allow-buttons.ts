/**
 * The "Allow N" buttons under a reply whose run was blocked on requests the
 * user may approve (Block Kit), the reading of a press (`block_actions` over
 * Socket Mode), and the message once presses were taken: their buttons
 * replaced by who approved which request.
 */
import type { ApprovableEntry } from '../channel.js';
import { splitReply } from './split-reply.js';

/** Action ids are `airut_allow_<N>`: one per button, distinct from the hold prompt's. */
export const ALLOW_ACTION_PATTERN = /^airut_allow_([1-9][0-9]{0,5})$/;
/** Buttons under one reply at most; the receipt's text says `allow N` for the rest. */
export const MAX_ALLOW_BUTTONS = 5;
/** Block id of the buttons' actions block. */
export const ALLOW_BLOCK_ID = 'airut-allow';
/** Block id of the lines that replace pressed buttons. */
const ALLOWED_BLOCK_ID = 'airut-allowed';
/** Slack refuses a section text longer than this. */
const SECTION_LIMIT = 3000;
/** Slack refuses a button value longer than this. */
const VALUE_LIMIT = 2000;

/** The action id of the button for entry `number`. */
export function allowActionId(number: number): string {
  return `airut_allow_${number}`;
}

/** A press of an Allow button, as Slack reported it. */
export interface AllowPress {
  userId: string;
  /** The channel of the pressed message. */
  channel: string;
  /** The pressed message. */
  messageTs: string;
  /** The thread it is in; undefined when Slack named none. */
  threadTs: string | undefined;
  /** When the press happened: unique per press, the same when Slack delivers it again. */
  actionTs: string;
  /** The entry the button names. */
  entry: ApprovableEntry;
  /** The pressed message's blocks and fallback text, to rewrite it. */
  blocks: unknown[];
  text: string | undefined;
}

/** Someone's press that was taken, for the rewritten message. */
export interface TakenPress {
  entry: ApprovableEntry;
  /** Display name of who pressed it. */
  by: string;
}

/**
 * The blocks of a reply's last message with Allow buttons: its mrkdwn text
 * in sections (Slack shows blocks instead of the text when both are given)
 * and one button per entry, for at most {@link MAX_ALLOW_BUTTONS} entries;
 * undefined when no entry gets a button.
 */
export function allowButtonBlocks(text: string, entries: readonly ApprovableEntry[]): Record<string, unknown>[] | undefined {
  const buttons = entries.slice(0, MAX_ALLOW_BUTTONS).flatMap((entry) => {
    const value = JSON.stringify({ n: entry.number, m: entry.method, h: entry.host, p: entry.pathPrefix });
    // A button that cannot name its request whole is left out: `allow N` in a reply still works.
    if (value.length > VALUE_LIMIT) return [];
    return [{ type: 'button', action_id: allowActionId(entry.number), text: { type: 'plain_text', text: `Allow ${entry.number}` }, value }];
  });
  if (buttons.length === 0) return undefined;
  const sections = text.trim() === '' ? [] : splitReply(text, SECTION_LIMIT).map((part) => ({ type: 'section', text: { type: 'mrkdwn', text: part } }));
  return [...sections, { type: 'actions', block_id: ALLOW_BLOCK_ID, elements: buttons }];
}

/** Reads a `block_actions` payload of an Allow button; undefined for anything else. */
export function parseAllowPress(body: unknown): AllowPress | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as {
    type?: unknown; user?: { id?: unknown }; actions?: unknown;
    channel?: { id?: unknown }; container?: { message_ts?: unknown; thread_ts?: unknown; channel_id?: unknown };
    message?: { ts?: unknown; thread_ts?: unknown; blocks?: unknown; text?: unknown };
  };
  if (record.type !== 'block_actions' || typeof record.user?.id !== 'string' || !Array.isArray(record.actions)) return undefined;
  const action = record.actions[0] as { action_id?: unknown; value?: unknown; action_ts?: unknown } | undefined;
  const number = typeof action?.action_id === 'string' ? ALLOW_ACTION_PATTERN.exec(action.action_id)?.[1] : undefined;
  if (action === undefined || number === undefined || typeof action.value !== 'string' || typeof action.action_ts !== 'string') return undefined;
  const entry = readValue(action.value);
  // The button's id and its value name the same number, as this channel wrote them.
  if (entry === undefined || entry.number !== Number(number)) return undefined;
  const channel = str(record.container?.channel_id) ?? str(record.channel?.id);
  const messageTs = str(record.container?.message_ts) ?? str(record.message?.ts);
  if (channel === undefined || messageTs === undefined) return undefined;
  return {
    userId: record.user.id,
    channel,
    messageTs,
    threadTs: str(record.container?.thread_ts) ?? str(record.message?.thread_ts),
    actionTs: action.action_ts,
    entry,
    blocks: Array.isArray(record.message?.blocks) ? record.message.blocks as unknown[] : [],
    text: str(record.message?.text),
  };
}

/**
 * The pressed message once `taken` were taken: its text stays, the taken
 * entries' buttons are replaced by a line saying who approved which
 * request, the other buttons stay.
 */
export function takenBlocks(blocks: readonly unknown[], taken: readonly TakenPress[]): unknown[] {
  const numbers = new Set(taken.map((p) => p.entry.number));
  const lines = taken.map((p) => `:white_check_mark: ${escape(p.by)} approved ${p.entry.number}. ${code(`${p.entry.method} ${p.entry.host}${p.entry.pathPrefix}`)} for this conversation.`);
  const said = { type: 'context', block_id: ALLOWED_BLOCK_ID, elements: [{ type: 'mrkdwn', text: lines.join('\n').slice(0, SECTION_LIMIT) }] };
  const out: unknown[] = [];
  for (const block of blocks) {
    const b = block as { block_id?: unknown; elements?: unknown };
    if (b.block_id === ALLOWED_BLOCK_ID) continue;
    if (b.block_id !== ALLOW_BLOCK_ID || !Array.isArray(b.elements)) {
      out.push(block);
      continue;
    }
    out.push(said);
    const left = (b.elements as { action_id?: unknown }[]).filter((e) => {
      const n = typeof e.action_id === 'string' ? ALLOW_ACTION_PATTERN.exec(e.action_id)?.[1] : undefined;
      return n === undefined || !numbers.has(Number(n));
    });
    if (left.length > 0) out.push({ ...b, elements: left });
  }
  return out;
}

function readValue(value: string): ApprovableEntry | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Not a value this channel wrote: not an Allow press.
    return undefined;
  }
  const { n, m, h, p } = (parsed ?? {}) as { n?: unknown; m?: unknown; h?: unknown; p?: unknown };
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || typeof m !== 'string' || typeof h !== 'string' || typeof p !== 'string') return undefined;
  return { number: n, method: m, host: h, pathPrefix: p };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Slack's three control characters in mrkdwn. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A code span of agent-controlled text: no backtick can end it, no line break can split it. */
function code(text: string): string {
  return `\`${escape(text.replace(/[`\r\n]/g, "'"))}\``;
}
