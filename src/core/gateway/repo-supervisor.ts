import { setImmediate as nextTurn } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { RepoConfig } from '../config/index.js';
import { RepoRuntime, type RepoRuntimeContext, type ServerScope } from './repo-runtime.js';

/** Options of {@link RepoSupervisor}. */
export interface RepoSupervisorOptions {
  context: RepoRuntimeContext;
  /** The server scope repos are (re)started with. */
  scope: () => ServerScope;
  /** `execution.shutdown_timeout` in force, in ms: how long a restart waits for a task it has to interrupt. */
  shutdownTimeoutMs: () => number;
  /** Runs once before the first repo starts (orphan clean-up of the sandbox). */
  beforeFirstStart?: () => Promise<void>;
  /** How long to wait before start attempt `failures + 1` of a failed repo. Default: 5 s doubling up to 5 min. */
  retryDelayMs?: (failures: number) => number;
  clock?: () => Date;
  /** Told whenever a repo's state, error, retry time or pending restart changes. */
  onChange?: (id: string) => void;
}

/** The error that stopped a repo from starting. */
export interface RepoStartError {
  /** The error's code when it has one (e.g. `SLACK_AUTH_FAILED`), else its class name. */
  type: string;
  message: string;
  at: Date;
}

/** What the supervisor knows about one repo, for the dashboard and health. */
export interface RepoSlotStatus {
  id: string;
  state: 'running' | 'starting' | 'failed' | 'stopping';
  runtime: RepoRuntime | undefined;
  lastError: RepoStartError | undefined;
  /** When a failed repo is tried again. */
  nextRetryAt: Date | undefined;
  /** A restart or removal waiting for the repo's tasks to finish, with why. */
  pending: string | undefined;
}

/** A repo that is configured but not running. */
export interface FailedRepo {
  id: string;
  error: string;
}

interface Slot {
  id: string;
  /** The block the config asks for; undefined once the repo was removed. */
  desired: RepoConfig | undefined;
  current: RepoRuntime | undefined;
  error: string | undefined;
  /** The passes of this slot, one after the other. */
  work: Promise<void>;
  /** A pass is chained and has not begun: it will read the latest `desired`. */
  queued: boolean;
  starting: boolean;
  lastError: RepoStartError | undefined;
  /** Start failures in a row. */
  failures: number;
  retry: { timer: NodeJS.Timeout; at: Date } | undefined;
  pending: string | undefined;
}

/** 5 s, 10 s, 20 s, ... up to 5 minutes. */
function defaultRetryDelay(failures: number): number {
  return Math.min(5000 * 2 ** Math.max(0, failures - 1), 300_000);
}

/** The longest timer Node accepts (about 24.8 days): "until the tasks finish on their own". */
const UNTIL_DONE_MS = 2 ** 31 - 1;

/**
 * Keeps the running repos in line with the config: starts added repos,
 * stops removed ones once their running tasks finish (taking no new
 * messages meanwhile), and restarts a changed repo (or every repo, after a
 * server scope change) once it is idle. Each repo is handled on its own, so
 * one busy repo never holds up another.
 */
export class RepoSupervisor {
  private readonly slots = new Map<string, Slot>();
  private firstStart: Promise<void> | undefined;
  private stopping = false;

  private readonly clock: () => Date;

  constructor(private readonly options: RepoSupervisorOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Sets the repos the config asks for. Resolves once every repo that was
   * not running has been started (or has failed); restarts and removals that
   * wait for running tasks go on in the background. A failed repo is tried
   * again at once, and after that with backoff until it starts.
   */
  async configure(repos: Readonly<Record<string, RepoConfig>>): Promise<void> {
    const starting: Promise<void>[] = [];
    for (const [id, repo] of Object.entries(repos)) {
      const slot = this.slots.get(id) ?? this.newSlot(id);
      slot.desired = repo;
      this.cancelRetry(slot);
      const pass = this.request(slot);
      if (slot.current === undefined) starting.push(pass);
    }
    for (const slot of this.slots.values()) {
      if (repos[slot.id] !== undefined) continue;
      slot.desired = undefined;
      this.cancelRetry(slot);
      void this.request(slot);
    }
    await Promise.all(starting);
  }

  /** Restarts every repo (each once it is idle) with the current scope. */
  rescope(): void {
    for (const slot of this.slots.values()) void this.request(slot);
  }

  /** Repos running now, including removed ones still finishing their tasks. */
  running(): RepoRuntime[] {
    return [...this.slots.values()].flatMap((s) => (s.current === undefined ? [] : [s.current]));
  }

  /** Ids to show: configured repos and removed ones still finishing. */
  ids(): string[] {
    return [...this.slots.values()].filter((s) => s.desired !== undefined || s.current !== undefined).map((s) => s.id);
  }

  /** Configured repos that are not running, with why. */
  failed(): FailedRepo[] {
    return [...this.slots.values()].flatMap((s) => (s.current === undefined && s.desired !== undefined && !s.starting && s.error !== undefined ? [{ id: s.id, error: s.error }] : []));
  }

  /** Every repo to show (see {@link ids}) with its state. */
  status(): RepoSlotStatus[] {
    return [...this.slots.values()].filter((s) => s.desired !== undefined || s.current !== undefined).map((s) => ({
      id: s.id,
      state: s.desired === undefined ? 'stopping' : s.current !== undefined ? 'running' : s.starting || s.lastError === undefined ? 'starting' : 'failed',
      runtime: s.current,
      lastError: s.lastError,
      nextRetryAt: s.retry?.at,
      pending: s.pending,
    }));
  }

  /** The running repo `id`, if any. */
  get(id: string): RepoRuntime | undefined {
    return this.slots.get(id)?.current;
  }

  /** True when no repo has a task running or waiting. */
  isIdle(): boolean {
    return this.running().every((r) => r.isIdle());
  }

  /** Resolves once no repo has a task running or waiting. */
  async whenIdle(): Promise<void> {
    while (!this.isIdle()) {
      await Promise.all(this.running().map((r) => r.whenIdle()));
      // A message may have arrived as the last task ended; look again on the next turn.
      await nextTurn();
    }
  }

  /** Stops every repo: running tasks get up to `timeoutMs`, then are interrupted. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots.values()) this.cancelRetry(slot);
    await Promise.all(this.running().map((r) => r.stop(timeoutMs)));
    await Promise.all([...this.slots.values()].map((s) => s.work));
  }

  private newSlot(id: string): Slot {
    const slot: Slot = {
      id, desired: undefined, current: undefined, error: undefined, work: Promise.resolve(), queued: false,
      starting: false, lastError: undefined, failures: 0, retry: undefined, pending: undefined,
    };
    this.slots.set(id, slot);
    return slot;
  }

  /** Chains a pass for `slot` unless one is already waiting to begin. */
  private request(slot: Slot): Promise<void> {
    if (slot.queued) return slot.work;
    slot.queued = true;
    slot.work = slot.work.then(async () => {
      slot.queued = false;
      try {
        await this.pass(slot);
      } catch (error) {
        this.options.context.logger.error('repo could not be brought in line with the config', { repo: slot.id, error: describe(error) });
      } finally {
        this.setPending(slot, undefined);
      }
    });
    return slot.work;
  }

  /** Brings one repo in line with its desired block, waiting for it to be idle where that matters. */
  private async pass(slot: Slot): Promise<void> {
    const log = this.options.context.logger.child({ repo: slot.id });
    for (;;) {
      if (this.stopping) return;
      const { current, desired } = slot;
      if (current === undefined) break;
      if (desired !== undefined && isDeepStrictEqual(current.repo, desired) && current.scope === this.options.scope()) return;
      if (desired === undefined) {
        if (!current.isIdle()) {
          log.info('repo removed from the config; it takes no new messages and stops once its running tasks finish');
          this.setPending(slot, 'removed from the config; stops once its running tasks finish');
        }
        await current.stop(UNTIL_DONE_MS);
        slot.current = undefined;
        log.info('repo stopped', { reason: 'removed from the config' });
        continue;
      }
      if (!current.isIdle()) {
        log.info('repo restart pending until its tasks finish', { reason: reason(current, desired) });
        this.setPending(slot, `restart once its tasks finish (${reason(current, desired)})`);
        await current.whenIdle();
        continue;
      }
      await current.stop(this.options.shutdownTimeoutMs());
      slot.current = undefined;
      log.info('repo stopped for a restart', { reason: reason(current, desired) });
      if (this.stopping) return;
      await this.start(slot, desired);
      if (slot.current === undefined && !this.stopping) {
        log.warn('restarting the repo with its previous settings');
        await this.start(slot, current.repo);
      }
      return;
    }
    if (slot.desired === undefined) {
      this.slots.delete(slot.id);
      return;
    }
    await this.start(slot, slot.desired);
  }

  private async start(slot: Slot, repo: RepoConfig): Promise<void> {
    slot.starting = true;
    this.options.onChange?.(slot.id);
    try {
      const before = this.options.beforeFirstStart;
      // A failed clean-up is tried again by the next start.
      if (before !== undefined) await (this.firstStart ??= before().catch((error: unknown) => { this.firstStart = undefined; throw error; }));
      const runtime = await RepoRuntime.start(slot.id, repo, this.options.scope(), this.options.context);
      if (this.stopping) {
        // The service began to stop while this repo was starting: it takes nothing.
        await runtime.stop(0);
        return;
      }
      slot.current = runtime;
      slot.error = undefined;
      slot.failures = 0;
      this.cancelRetry(slot);
    } catch (error) {
      slot.error = describe(error);
      slot.lastError = { type: errorType(error), message: error instanceof Error ? error.message : String(error), at: this.clock() };
      slot.failures++;
      const delay = (this.options.retryDelayMs ?? defaultRetryDelay)(slot.failures);
      this.options.context.logger.error('repo failed to start', { repo: slot.id, error: slot.error, retry_in_s: Math.round(delay / 1000) });
      this.scheduleRetry(slot, delay);
    } finally {
      slot.starting = false;
      this.options.onChange?.(slot.id);
    }
  }

  /** Tries a failed repo again after `delayMs`, unless a reload or a stop comes first. */
  private scheduleRetry(slot: Slot, delayMs: number): void {
    this.cancelRetry(slot);
    if (this.stopping) return;
    const timer = setTimeout(() => {
      slot.retry = undefined;
      if (slot.desired !== undefined && slot.current === undefined && !this.stopping) void this.request(slot);
    }, delayMs);
    // A pending retry alone does not keep the process alive.
    timer.unref();
    slot.retry = { timer, at: new Date(this.clock().getTime() + delayMs) };
  }

  private cancelRetry(slot: Slot): void {
    if (slot.retry === undefined) return;
    clearTimeout(slot.retry.timer);
    slot.retry = undefined;
  }

  private setPending(slot: Slot, pending: string | undefined): void {
    if (slot.pending === pending) return;
    slot.pending = pending;
    this.options.onChange?.(slot.id);
  }
}

/** An error's stable code when it has one, else its class name. */
function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (error instanceof Error) return error.name;
  }
  return typeof error;
}

function reason(current: RepoRuntime, desired: RepoConfig): string {
  return isDeepStrictEqual(current.repo, desired) ? 'server settings changed' : 'repo settings changed';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
