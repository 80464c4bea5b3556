/**
 * Keeps an IMAP session to the inbox alive and calls `scan` whenever there may
 * be new mail: on connect, on every `EXISTS` the server pushes while idling,
 * every poll interval when polling (and after a poll interval without news
 * while idling), and when woken. Connection failures are
 * retried with capped exponential backoff forever; `state()` shows where it is.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ChannelState } from '../channel.js';
import { backoffDelay, type Backoff } from './backoff.js';

/** Options of {@link InboxWatcher}. */
export interface InboxWatcherOptions {
  /**
   * Builds the options of a fresh client per connection attempt; `renewCredentials`
   * when the server refused the last login (an OAuth2 token may have been revoked).
   */
  connect: (renewCredentials: boolean) => ImapFlowOptions | Promise<ImapFlowOptions>;
  /** Wait for pushes with IDLE (when the server offers it). */
  useIdle: boolean;
  pollIntervalMs: number;
  backoff: Backoff;
  /** Failed attempts after which `start()` resolves anyway (the loop keeps retrying). */
  startAttempts: number;
  /** Looks at the inbox; never runs twice at once (the session loop calls it). */
  scan: (client: ImapFlow) => Promise<void>;
  /** Reports connection trouble (already reflected in `state()`), with the server's words. */
  onError: (description: string, attempt: number, retryInMs: number) => void;
  clock: () => Date;
}

/** The IMAP connection loop of one inbox. */
export class InboxWatcher {
  private current: ChannelState = { state: 'starting' };
  private client: ImapFlow | undefined;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private stopWaker: (() => void) | undefined;
  private pendingWake = false;
  private idleCall: Promise<boolean> | undefined;
  private loop: Promise<void> | undefined;
  private firstConnect: { resolve: () => void; promise: Promise<void> } | undefined;

  constructor(private readonly options: InboxWatcherOptions) {}

  /**
   * Starts the loop. Resolves once connected, or after `startAttempts` failed
   * attempts with the state in `backoff` (it keeps retrying; `state()` says so).
   */
  start(): Promise<void> {
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => { resolve = r; });
    this.firstConnect = { resolve, promise };
    this.loop = this.run();
    return promise;
  }

  /** Ends the loop and logs out. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.stopWaker?.();
    const client = this.client;
    if (client !== undefined) await client.logout().catch(() => client.close());
    await this.loop;
    this.current = { state: 'stopped' };
  }

  /** Asks for another scan soon (e.g. after a message was completed). */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** The connection state for `airut check` and the dashboard. */
  state(): ChannelState {
    return { ...this.current };
  }

  /** The connected client, when there is one. */
  connected(): ImapFlow | undefined {
    return this.client?.usable === true ? this.client : undefined;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    let refused = false;
    while (!this.stopped) {
      try {
        await this.session(refused);
        attempt = 0;
        refused = false;
      } catch (err) {
        if (this.stopped) break;
        attempt += 1;
        refused = isAuthenticationFailure(err);
        const delay = backoffDelay(this.options.backoff, attempt);
        const retryAt = new Date(this.options.clock().getTime() + delay);
        const description = describe(err);
        this.current = { state: 'backoff', lastError: description, retryAt };
        this.options.onError(description, attempt, delay);
        if (attempt >= this.options.startAttempts) this.firstConnect?.resolve();
        await this.backoffSleep(delay);
      }
    }
    this.firstConnect?.resolve();
  }

  /** One connection: connect, scan, wait for news, repeat until it closes. */
  private async session(renewCredentials: boolean): Promise<void> {
    // The last error stays until a connection works; the retry time is over once the attempt begins.
    const { lastError } = this.current;
    this.current = { state: 'starting', ...(lastError === undefined ? {} : { lastError }) };
    // IDLE is entered explicitly: imapflow's automatic IDLE only starts after 15 s of quiet.
    const client = new ImapFlow({ ...(await this.options.connect(renewCredentials)), disableAutoIdle: true });
    let closed = false;
    let closeError: unknown;
    client.on('error', (err: unknown) => { closeError = err; });
    client.on('close', () => {
      closed = true;
      this.wakeUp?.();
    });
    client.on('exists', () => { this.wake(); });
    this.client = client;
    try {
      await client.connect();
      await client.mailboxOpen('INBOX');
      const idle = this.options.useIdle && client.capabilities.has('IDLE');
      this.current = { state: idle ? 'idle' : 'polling' };
      this.firstConnect?.resolve();
      this.pendingWake = true;
      while (!this.stopped && !closed) {
        if (this.pendingWake) {
          this.pendingWake = false;
          await this.options.scan(client);
          continue;
        }
        if (idle) {
          await this.idleOnce(client);
        } else {
          await this.sleep(this.options.pollIntervalMs);
          this.pendingWake = true;
        }
      }
      if (closed && !this.stopped) throw closeError instanceof Error ? closeError : new Error('IMAP connection closed by the server');
    } finally {
      this.client = undefined;
      this.idleCall = undefined;
      if (!closed) client.close();
    }
  }

  /**
   * Idles until woken or until IDLE ends, whichever is first. Any other command on the
   * connection ends IDLE (imapflow sends DONE first): `complete()` deleting a mail does, and so
   * does imapflow at `maxIdleTime`. Out of IDLE the server pushes no `EXISTS`, so the session
   * loop comes back here to re-enter it rather than wait for a wake that never comes.
   *
   * A push the server never sends (or that is lost) must not leave a mail waiting until the
   * next unrelated event: after one poll interval without news the inbox is scanned anyway.
   */
  private async idleOnce(client: ImapFlow): Promise<void> {
    // `whenFree`: the command that ended IDLE may still be queued; an IDLE started ahead of it
    // would hold the connection and that command would never run. One IDLE call at a time, so a
    // call still waiting from an earlier wake is reused rather than doubled.
    if (this.idleCall === undefined) {
      const call: Promise<boolean> = client.idle({ whenFree: true }).then((result) => result !== false, () => false)
        .finally(() => { if (this.idleCall === call) this.idleCall = undefined; });
      this.idleCall = call;
    }
    const woken = this.sleep(this.options.pollIntervalMs).then(() => 'woken' as const);
    const outcome = await Promise.race([this.idleCall, woken]);
    if (outcome === 'woken') {
      // Woken by wake() (already pending) or by the poll interval passing: scan either way.
      this.pendingWake = true;
      return;
    }
    // Settles the sleep raced above; a wake that came meanwhile stays in `pendingWake`.
    this.wakeUp?.();
    // A refused IDLE must not spin: fall back to one poll interval.
    if (!outcome && !this.stopped) {
      await this.sleep(this.options.pollIntervalMs);
      this.pendingWake = true;
    }
  }

  /** Waits out a backoff delay; only `stop()` cuts it short. */
  private backoffSleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stopWaker = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopWaker = done;
    });
  }

  /** Waits `ms` unless stopped or woken first. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped || this.pendingWake) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

function isAuthenticationFailure(err: unknown): boolean {
  return err instanceof Error && (err as { authenticationFailed?: unknown }).authenticationFailed === true;
}

/** imapflow errors carry the server's words in extra fields; "Command failed" alone helps nobody. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const extra = err as { code?: unknown; responseText?: unknown; serverResponseCode?: unknown; authenticationFailed?: unknown };
  let text = err.message;
  if (extra.authenticationFailed === true) text += ': authentication failed (check email.username and email.password, or email.microsoft_oauth2)';
  if (typeof extra.responseText === 'string' && extra.responseText !== '') text += `: ${extra.responseText}`;
  const code = typeof extra.serverResponseCode === 'string' ? extra.serverResponseCode : extra.code;
  return typeof code === 'string' ? `${text} (${code})` : text;
}
