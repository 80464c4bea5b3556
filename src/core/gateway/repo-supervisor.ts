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

  constructor(private readonly options: RepoSupervisorOptions) {}

  /**
   * Sets the repos the config asks for. Resolves once every repo that was
   * not running has been started (or has failed); restarts and removals that
   * wait for running tasks go on in the background.
   */
  async configure(repos: Readonly<Record<string, RepoConfig>>): Promise<void> {
    const starting: Promise<void>[] = [];
    for (const [id, repo] of Object.entries(repos)) {
      const slot = this.slots.get(id) ?? this.newSlot(id);
      slot.desired = repo;
      const pass = this.request(slot);
      if (slot.current === undefined) starting.push(pass);
    }
    for (const slot of this.slots.values()) {
      if (repos[slot.id] !== undefined) continue;
      slot.desired = undefined;
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
    return [...this.slots.values()].flatMap((s) => (s.current === undefined && s.desired !== undefined && s.error !== undefined ? [{ id: s.id, error: s.error }] : []));
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
    await Promise.all(this.running().map((r) => r.stop(timeoutMs)));
    await Promise.all([...this.slots.values()].map((s) => s.work));
  }

  private newSlot(id: string): Slot {
    const slot: Slot = { id, desired: undefined, current: undefined, error: undefined, work: Promise.resolve(), queued: false };
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
        if (!current.isIdle()) log.info('repo removed from the config; it takes no new messages and stops once its running tasks finish');
        await current.stop(UNTIL_DONE_MS);
        slot.current = undefined;
        log.info('repo stopped', { reason: 'removed from the config' });
        continue;
      }
      if (!current.isIdle()) {
        log.info('repo restart pending until its tasks finish', { reason: reason(current, desired) });
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
    } catch (error) {
      slot.error = describe(error);
      this.options.context.logger.error('repo failed to start', { repo: slot.id, error: slot.error });
    }
  }
}

function reason(current: RepoRuntime, desired: RepoConfig): string {
  return isDeepStrictEqual(current.repo, desired) ? 'server settings changed' : 'repo settings changed';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
