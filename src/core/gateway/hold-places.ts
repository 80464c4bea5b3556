import type { ChannelAdapter, IncomingMessage } from '../channels/index.js';
import { parseSlackMessageId } from '../channels/slack/slack-event.js';
import type { Logger } from '../log/index.js';
import type { HoldAsker, HoldQuestion, HoldRouter, HoldSettlement } from './hold-router.js';

/** A Slack channel's Allow/Deny prompts (`SlackChannel.holds`), as the gateway uses them. */
export interface SlackHoldPromptsPort {
  ask(where: { channel: string; threadTs: string }, question: HoldQuestion, answer: (allow: boolean, who: string) => void): Promise<void>;
  settle(question: HoldQuestion, settlement: HoldSettlement): Promise<void>;
}

/** Where a repo's held requests are asked, and the router their answers go through. */
export interface HoldPlaces {
  router: HoldRouter;
  /**
   * The places that may answer a hold of task `taskId`, which answers
   * `message` (undefined for a scheduled run, which answers nobody's
   * message): the dashboard while it is on, and the Slack thread of a Slack
   * task. None means nobody can answer, and the hold is denied at once.
   */
  askersFor(message: IncomingMessage | undefined, taskId: string): HoldAsker[];
}

/** The hold prompts of a channel that has them (Slack), else undefined. */
export function holdPromptsOf(channel: ChannelAdapter): SlackHoldPromptsPort | undefined {
  if (channel.kind !== 'slack') return undefined;
  const holds = (channel as { holds?: Partial<SlackHoldPromptsPort> }).holds;
  return typeof holds?.ask === 'function' && typeof holds.settle === 'function' ? holds as SlackHoldPromptsPort : undefined;
}

/**
 * The places of a repo: the Slack thread of a Slack task (when the repo has
 * Slack), and the dashboard for every task, scheduled runs included, while
 * `dashboard()` says it is on.
 */
export function holdPlaces(router: HoldRouter, slack: SlackHoldPromptsPort | undefined, log: Logger, dashboard: () => boolean = () => false): HoldPlaces {
  return {
    router,
    askersFor: (message) => {
      const askers: HoldAsker[] = dashboard() ? [DASHBOARD_ASKER] : [];
      const where = message?.channel === 'slack' ? parseSlackMessageId(message.messageId) : undefined;
      if (slack === undefined || where === undefined) return askers;
      return [slackAsker(slack, { channel: where.channel, threadTs: where.threadTs }, router, log), ...askers];
    },
  };
}

/**
 * The dashboard: it reads the router's waiting holds and the task's run
 * events itself, and answers through the router (after its request guard).
 */
const DASHBOARD_ASKER: HoldAsker = { ask: () => undefined, settle: () => undefined };

/** Asks in the task's Slack thread; a press answers through the router, which decides who was first. */
function slackAsker(prompts: SlackHoldPromptsPort, where: { channel: string; threadTs: string }, router: HoldRouter, log: Logger): HoldAsker {
  // A hold can end while its prompt is still being posted: the rewrite waits for the post.
  const posted = new Map<string, Promise<void>>();
  return {
    ask: (question) => {
      const post = prompts.ask(where, question, (allow, who) => {
        router.answer(question.taskId, question.holdId, allow, who);
      }).catch((error: unknown) => {
        log.error('the hold prompt could not be posted in Slack', { task: question.taskId, hold: question.holdId, error: describe(error) });
      });
      posted.set(question.holdId, post);
    },
    settle: (question, settlement) => {
      const post = posted.get(question.holdId) ?? Promise.resolve();
      posted.delete(question.holdId);
      void post.then(() => prompts.settle(question, settlement)).catch((error: unknown) => {
        log.error('the hold prompt could not be updated in Slack', { task: question.taskId, hold: question.holdId, error: describe(error) });
      });
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
