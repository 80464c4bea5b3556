import type { PlanItem, TaskEnd, TaskProgress } from '../channel.js';
import type { Logger } from '../../log/index.js';
import { planStatus, renderPlan } from './plan-text.js';
import type { SlackApiCall } from './slack-api.js';

/**
 * At most one plan call per task per second. `chat.update` is rate-limited
 * per workspace (Slack's tier 3, about 50 calls a minute) and Claude may
 * rewrite its list several times a second; one second follows the plan
 * closely enough for a person and leaves room for other tasks' threads.
 */
export const PLAN_UPDATE_INTERVAL_MS = 1000;

/**
 * How long {@link SlackPlanStream.end} holds up the answer for the plan's
 * final state. The Web API client waits out rate limits (`Retry-After`),
 * which can take much longer; the answer matters more than the plan, whose
 * final update then still goes out behind it.
 */
export const PLAN_END_WAIT_MS = 10_000;

/** The timers a plan stream waits with; tests pass a clock they move by hand. */
export interface PlanTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The system timers; a pending update does not keep the process alive. */
export const SYSTEM_TIMERS: PlanTimers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Where and how a {@link SlackPlanStream} posts. */
export interface PlanStreamOptions {
  call: SlackApiCall;
  channel: string;
  threadTs: string;
  /** In a DM the assistant status follows the item in progress too. */
  direct: boolean;
  logger: Logger;
  intervalMs?: number;
  timers?: PlanTimers;
}

/**
 * Claude's plan in a Slack thread (SL-20): the first plan posts one message,
 * later ones `chat.update` it, at most once per interval with the latest
 * state (intermediate ones are skipped, never queued). {@link end} flushes
 * what is pending and marks the outcome. A task that never wrote a plan gets
 * no message. Every Slack failure is logged and otherwise ignored.
 */
export class SlackPlanStream implements TaskProgress {
  private latest: readonly PlanItem[] | undefined;
  private version = 0;
  private shownVersion = 0;
  private shownStatus: string | undefined;
  private ts: string | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private sending: Promise<void> = Promise.resolve();
  private ended = false;
  private readonly intervalMs: number;
  private readonly timers: PlanTimers;

  constructor(private readonly options: PlanStreamOptions) {
    this.intervalMs = options.intervalMs ?? PLAN_UPDATE_INTERVAL_MS;
    this.timers = options.timers ?? SYSTEM_TIMERS;
  }

  plan(items: readonly PlanItem[]): void {
    if (this.ended) return;
    this.latest = items;
    this.version++;
    this.schedule();
  }

  async end(outcome: TaskEnd): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const final = this.sending.then(async () => {
      if (this.latest !== undefined) await this.send(this.latest, outcome);
    });
    let timer: unknown;
    const waited = new Promise<void>((resolve) => { timer = this.timers.setTimeout(resolve, PLAN_END_WAIT_MS); });
    await Promise.race([final, waited]);
    this.timers.clearTimeout(timer);
  }

  /** Sends now when the interval allows, else once it does; a send already waiting picks up the latest plan. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /** Queues one send behind the one on its way (calls never overlap), of whatever plan is latest by then. */
  private flush(): void {
    this.lastSentAt = this.timers.now();
    this.sending = this.sending.then(async () => {
      const items = this.latest;
      const version = this.version;
      if (this.ended || items === undefined || version === this.shownVersion) return;
      await this.send(items);
      this.shownVersion = version;
    });
  }

  private async send(items: readonly PlanItem[], end?: TaskEnd): Promise<void> {
    const { call, channel, threadTs, direct } = this.options;
    const message = renderPlan(items, end);
    try {
      if (this.ts === undefined) {
        const posted = await call('chat.postMessage', { channel, thread_ts: threadTs, text: message.text, blocks: message.blocks });
        this.ts = typeof posted['ts'] === 'string' ? posted['ts'] : undefined;
      } else {
        await call('chat.update', { channel, ts: this.ts, text: message.text, blocks: message.blocks });
      }
    } catch (error) {
      this.options.logger.warn('Slack plan message not sent', { channel, thread_ts: threadTs, error: error instanceof Error ? error.message : String(error) });
    }
    const status = end === undefined && direct ? planStatus(items) : undefined;
    if (status === undefined || status === this.shownStatus) return;
    this.shownStatus = status;
    try {
      await call('assistant.threads.setStatus', { channel_id: channel, thread_ts: threadTs, status });
    } catch (error) {
      this.options.logger.warn('Slack status not set', { channel, thread_ts: threadTs, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
