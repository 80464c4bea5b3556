/**
 * The Slack message that asks about a held request (Block Kit, with Allow and
 * Deny buttons), the same message once the hold ended, and the reading of a
 * button press (`block_actions` over Socket Mode).
 */

/** What the message names: the hold and the request it holds. */
export interface HoldPromptQuestion {
  taskId: string;
  holdId: string;
  method: string;
  host: string;
  /** Path without query. */
  path: string;
  expiresAt: Date;
}

/** How a hold ended, and who answered it. */
export interface HoldPromptSettlement {
  outcome: 'allowed' | 'denied' | 'expired' | 'closed';
  by?: string;
}

/** A button press on a hold prompt. */
export interface HoldPress {
  taskId: string;
  holdId: string;
  allow: boolean;
  userId: string;
}

export const HOLD_ALLOW_ACTION = 'airut_hold_allow';
export const HOLD_DENY_ACTION = 'airut_hold_deny';
/** Matches both buttons' action ids (bolt's `app.action`). */
export const HOLD_ACTION_PATTERN = /^airut_hold_(allow|deny)$/;

/** A Slack message body: fallback text and blocks. */
export interface HoldMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** The prompt with Allow and Deny buttons; `now` gives the seconds left. */
export function holdPromptMessage(q: HoldPromptQuestion, now: Date): HoldMessage {
  const seconds = Math.max(0, Math.round((q.expiresAt.getTime() - now.getTime()) / 1000));
  const request = requestText(q);
  const text = `The task is waiting: ${request} is not on the allowlist. Allow it for the rest of this run? (${seconds} s, then it is refused)`;
  const value = JSON.stringify({ task: q.taskId, hold: q.holdId });
  return {
    text,
    blocks: [
      { type: 'section', block_id: `hold-${q.holdId}`, text: { type: 'mrkdwn', text: `:hourglass: The task is waiting: \`${request}\` is not on the allowlist. Allow it for the rest of this run? It is refused in ${seconds} s without an answer.` } },
      {
        type: 'actions',
        block_id: `hold-actions-${q.holdId}`,
        elements: [
          { type: 'button', action_id: HOLD_ALLOW_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Allow' }, value },
          { type: 'button', action_id: HOLD_DENY_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value },
        ],
      },
    ],
  };
}

/** The prompt once the hold ended: the buttons are gone, the outcome is said. */
export function holdSettledMessage(q: HoldPromptQuestion, settlement: HoldPromptSettlement): HoldMessage {
  const request = requestText(q);
  const by = settlement.by === undefined ? '' : ` by ${settlement.by}`;
  const said = {
    allowed: `:white_check_mark: \`${request}\` was allowed${by} for the rest of this run.`,
    denied: `:no_entry: \`${request}\` was denied${by}.`,
    expired: `:no_entry: \`${request}\` was refused: no answer in time.`,
    closed: `:no_entry: \`${request}\` was refused: the task ended.`,
  }[settlement.outcome];
  return { text: said.replace(/`/g, ''), blocks: [{ type: 'section', block_id: `hold-${q.holdId}`, text: { type: 'mrkdwn', text: said } }] };
}

/** Reads a `block_actions` payload of a hold button; undefined for anything else. */
export function parseHoldPress(body: unknown): HoldPress | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { type?: unknown; user?: { id?: unknown }; actions?: unknown };
  if (record.type !== 'block_actions' || typeof record.user?.id !== 'string' || !Array.isArray(record.actions)) return undefined;
  const action = record.actions[0] as { action_id?: unknown; value?: unknown } | undefined;
  if (action === undefined || (action.action_id !== HOLD_ALLOW_ACTION && action.action_id !== HOLD_DENY_ACTION) || typeof action.value !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(action.value);
  } catch {
    // Not a value this channel wrote: not a hold press.
    return undefined;
  }
  const { task, hold } = (value ?? {}) as { task?: unknown; hold?: unknown };
  if (typeof task !== 'string' || typeof hold !== 'string') return undefined;
  return { taskId: task, holdId: hold, allow: action.action_id === HOLD_ALLOW_ACTION, userId: record.user.id };
}

function requestText(q: HoldPromptQuestion): string {
  return `${q.method} https://${q.host}${q.path}`.replace(/`/g, "'");
}
