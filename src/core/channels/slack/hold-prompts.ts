import type { Logger } from '../../log/index.js';
import type { AuthorizationVerdict } from './authorizer.js';
import { holdPromptMessage, holdSettledMessage, parseHoldPress, type HoldPromptQuestion, type HoldPromptSettlement } from './hold-prompt.js';
import type { SlackApiCall } from './slack-api.js';

/** Where a prompt was posted and who takes its answer. */
interface Posted {
  channel: string;
  ts: string;
  answer: (allow: boolean, who: string) => void;
}

/** Seams of {@link SlackHoldPrompts}. */
export interface SlackHoldPromptsOptions {
  call: SlackApiCall;
  /** The channel's authorizer: only users authorised for the repo may answer. */
  authorize: (userId: string) => Promise<AuthorizationVerdict>;
  log: Logger;
  clock: () => Date;
}

/**
 * A Slack channel's prompts for held requests: posts one in the task's
 * thread, takes the first press of an authorised user, and rewrites the
 * prompt once the hold ended (answered here, on the dashboard, or not at
 * all). A press from anyone else, or on a prompt no longer open, is logged
 * and changes nothing.
 */
export class SlackHoldPrompts {
  private readonly posted = new Map<string, Posted>();

  constructor(private readonly options: SlackHoldPromptsOptions) {}

  /** Posts the prompt in the thread `threadTs` of `channel`; `answer` gets the first authorised press. */
  async ask(where: { channel: string; threadTs: string }, question: HoldPromptQuestion, answer: (allow: boolean, who: string) => void): Promise<void> {
    const message = holdPromptMessage(question, this.options.clock());
    const posted = await this.options.call('chat.postMessage', { channel: where.channel, thread_ts: where.threadTs, text: message.text, blocks: message.blocks });
    const ts = typeof posted['ts'] === 'string' ? posted['ts'] : '';
    this.posted.set(keyOf(question), { channel: where.channel, ts, answer });
  }

  /** Replaces the prompt's buttons with how the hold ended. */
  async settle(question: HoldPromptQuestion, settlement: HoldPromptSettlement): Promise<void> {
    const posted = this.posted.get(keyOf(question));
    if (posted === undefined) return;
    this.posted.delete(keyOf(question));
    const message = holdSettledMessage(question, settlement);
    await this.options.call('chat.update', { channel: posted.channel, ts: posted.ts, text: message.text, blocks: message.blocks });
  }

  /** Handles a `block_actions` payload of a hold button (already acknowledged). */
  async press(body: unknown): Promise<void> {
    const press = parseHoldPress(body);
    if (press === undefined) return;
    const posted = this.posted.get(keyOf(press));
    if (posted === undefined) {
      this.options.log.warn('hold button pressed on a prompt that is no longer open', { task: press.taskId, hold: press.holdId, user: press.userId });
      return;
    }
    const verdict = await this.options.authorize(press.userId);
    if (!verdict.allowed) {
      this.options.log.warn('hold button press refused: the user is not authorised for this repo', { task: press.taskId, hold: press.holdId, user: press.userId, reason: verdict.reason });
      return;
    }
    posted.answer(press.allow, verdict.user.displayName);
  }
}

function keyOf(q: { taskId: string; holdId: string }): string {
  return `${q.taskId}\n${q.holdId}`;
}
