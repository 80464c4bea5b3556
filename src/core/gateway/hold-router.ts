import type { Logger } from '../log/index.js';
import type { RunEvent } from '../pipeline/index.js';

/** A blocked request waiting at a task's proxy, as the people who may answer see it. */
export interface HoldQuestion {
  /** The gateway's task id. */
  taskId: string;
  /** The proxy's hold id (`h1`...), unique within the task. */
  holdId: string;
  method: string;
  host: string;
  /** The request path without its query: what an allow lets through for the rest of the run. */
  path: string;
  expiresAt: Date;
}

/** How a hold ended, and who answered it (a Slack user's name, `the Airut dashboard`). */
export interface HoldSettlement {
  outcome: 'allowed' | 'denied' | 'expired' | 'closed';
  by?: string;
}

/** What {@link HoldRouter.answer} did. */
export type HoldAnswerResult = 'decided' | 'already-decided' | 'unknown';

/** One place a hold is asked (a Slack thread, the dashboard): told about the question and, later, its end. */
export interface HoldAsker {
  ask(question: HoldQuestion): void;
  settle(question: HoldQuestion, settlement: HoldSettlement): void;
}

interface Entry {
  question: HoldQuestion;
  contextId: string;
  askers: readonly HoldAsker[];
  settlement?: HoldSettlement;
}

/** Seams of a {@link HoldRouter}. */
export interface HoldRouterOptions {
  /** Sends the answer to the task's proxy (NetworkSandbox.decide); false when the hold is no longer open there. */
  decide: (contextId: string, holdId: string, allow: boolean) => boolean;
  log: Logger;
  now?: () => Date;
}

/**
 * Routes a task's held requests to the places that may answer them, and the
 * first answer back to the task's proxy. Whichever answers first wins: later
 * answers (the other place, a second press) are ignored and logged, and every
 * place is told how the hold ended. Who may answer is each place's check
 * (the Slack channel's authorizer, the dashboard's request guard); an answer
 * for a hold this router never announced is ignored.
 */
export class HoldRouter {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => Date;

  constructor(private readonly options: HoldRouterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Takes a task's `hold` run event: asks every place on a hold, settles them on its end. */
  onRunEvent(taskId: string, event: Extract<RunEvent, { type: 'hold' }>, askers: readonly HoldAsker[]): void {
    const hold = event.event;
    const key = keyOf(taskId, hold.id);
    if (hold.event === 'hold') {
      const question: HoldQuestion = {
        taskId, holdId: hold.id, method: hold.method, host: hold.host, path: hold.path,
        expiresAt: new Date(this.now().getTime() + hold.expires_in_ms),
      };
      this.entries.set(key, { question, contextId: event.contextId, askers });
      for (const asker of askers) asker.ask(question);
      return;
    }
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    // An answer already told every place; a denied hold ends `denied` at the proxy too.
    if (entry.settlement !== undefined && entry.settlement.outcome === hold.outcome) return;
    this.settle(entry, { outcome: hold.outcome });
  }

  /**
   * The answer of `who` to hold `holdId` of `taskId`. Only the first answer to
   * a hold still waiting is sent to the proxy.
   */
  answer(taskId: string, holdId: string, allow: boolean, who: string): HoldAnswerResult {
    const entry = this.entries.get(keyOf(taskId, holdId));
    if (entry === undefined) {
      this.options.log.warn('hold answer ignored: no such hold is waiting', { task: taskId, hold: holdId, by: who, allow });
      return 'unknown';
    }
    if (entry.settlement !== undefined) {
      this.options.log.warn('hold answer ignored: already answered', { task: taskId, hold: holdId, by: who, allow, answered_by: entry.settlement.by });
      return 'already-decided';
    }
    const sent = this.options.decide(entry.contextId, holdId, allow);
    if (!sent) {
      // The proxy ended it meanwhile (timeout): its hold_end settles the places.
      this.options.log.warn('hold answer came too late: the hold had ended at the proxy', { task: taskId, hold: holdId, by: who, allow });
      return 'already-decided';
    }
    this.options.log.info(allow ? 'held request allowed' : 'held request denied', {
      task: taskId, hold: holdId, by: who, request: `${entry.question.method} ${entry.question.host}${entry.question.path}`,
    });
    this.settle(entry, { outcome: allow ? 'allowed' : 'denied', by: who });
    return 'decided';
  }

  /** The holds of `taskId` still waiting for an answer (the dashboard's prompt). */
  waiting(taskId: string): HoldQuestion[] {
    return [...this.entries.values()].filter((e) => e.question.taskId === taskId && e.settlement === undefined).map((e) => e.question);
  }

  private settle(entry: Entry, settlement: HoldSettlement): void {
    entry.settlement = settlement;
    for (const asker of entry.askers) asker.settle(entry.question, settlement);
  }
}

function keyOf(taskId: string, holdId: string): string {
  return `${taskId}\n${holdId}`;
}
