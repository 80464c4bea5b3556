import type { ChannelState } from '../channels/index.js';
import type { ChannelView, HealthProblem, HealthView, RepoView, ScheduleView, TaskCounts } from '../dashboard/index.js';
import type { RejectedLog } from './rejected-log.js';
import type { RepoRuntime } from './repo-runtime.js';
import type { RepoSupervisor } from './repo-supervisor.js';

/** Channel states in which a channel takes messages. */
const UP = new Set(['connected', 'idle', 'polling']);

/** Options of {@link ServiceStatus}. */
export interface ServiceStatusOptions {
  version: string;
  supervisor: Pick<RepoSupervisor, 'status'>;
  rejected: RejectedLog;
  counts: () => TaskCounts;
  /**
   * Why the config file is not in force: `start` when the service started
   * without a valid file (nothing configured runs), `reload` when a reload was
   * refused and the previous config kept. Undefined when the file is in force.
   */
  configProblem: () => { when: 'start' | 'reload'; message: string } | undefined;
  /** Server settings waiting for every task to end. */
  serverPending: () => boolean;
  /** The schedules of a repo, when the service has a scheduler. */
  schedules?: (repoId: string) => ScheduleView[] | undefined;
  /** How long a channel that had connected may be down before health says so. Default 60 s. */
  channelGraceMs?: number;
  clock?: () => Date;
  /** Told about every repo whose view changed since the last {@link ServiceStatus.refresh}. */
  onRepoChange?: (repo: RepoView) => void;
}

/** A channel's state as the views show it; the retry time only while it waits to reconnect. */
function channelView(channel: { kind: ChannelView['kind'] } & ChannelState): ChannelView {
  return {
    kind: channel.kind,
    state: channel.state,
    ...(channel.lastError === undefined ? {} : { lastError: channel.lastError }),
    ...(channel.retryAt === undefined || channel.state !== 'backoff' ? {} : { retryAt: channel.retryAt.toISOString() }),
  };
}

interface ChannelWatch {
  runtime: RepoRuntime;
  everUp: boolean;
  downSince: Date | undefined;
}

/**
 * The service's state as the operator sees it: each repo's view (state,
 * channels, last error, refused messages, pending restart) and the health
 * verdict `/api/health` answers.
 *
 * Health: `ok` when every configured repo runs with its channels up;
 * `degraded` when a repo failed to start, a channel never connected since its
 * repo started or has been down longer than the grace time, or a reload was
 * refused; `error` when the config did not load at start, or no configured
 * repo works.
 */
export class ServiceStatus {
  private readonly channels = new Map<string, ChannelWatch>();
  private readonly published = new Map<string, string>();
  private readonly clock: () => Date;

  constructor(private readonly options: ServiceStatusOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Every configured repo (and removed ones still finishing), with its state. */
  repos(): RepoView[] {
    return this.options.supervisor.status().map((slot) => {
      const channels = slot.runtime?.handler.channelStates() ?? [];
      const schedules = this.options.schedules?.(slot.id);
      return {
        id: slot.id,
        state: slot.state,
        channels: channels.map(channelView),
        ...(slot.lastError === undefined ? {} : { lastError: { type: slot.lastError.type, message: slot.lastError.message, at: slot.lastError.at.toISOString() } }),
        ...(slot.nextRetryAt === undefined ? {} : { nextRetryAt: slot.nextRetryAt.toISOString() }),
        ...(slot.pending === undefined ? {} : { reloadPending: slot.pending }),
        rejected: this.options.rejected.of(slot.id).map((r) => ({ at: r.at.toISOString(), channel: r.channel, sender: r.sender, reason: r.reason, detail: r.detail })),
        ...(schedules === undefined ? {} : { schedules }),
      };
    });
  }

  /** The health verdict with its reasons. */
  health(): HealthView {
    const repos = this.repos();
    this.observe(repos);
    const problems: HealthProblem[] = [];
    const config = this.options.configProblem();
    if (config !== undefined) problems.push({ kind: 'config_invalid', reason: config.message });
    let working = 0;
    let configured = 0;
    for (const repo of repos) {
      if (repo.state === 'stopping') continue;
      configured++;
      if (repo.state === 'failed') {
        problems.push({ repo: repo.id, kind: 'repo_failed', reason: repo.lastError === undefined ? 'failed to start' : `${repo.lastError.type}: ${repo.lastError.message}` });
        continue;
      }
      if (repo.state === 'starting') {
        // Not a fault, but not running either: it takes no messages yet.
        problems.push({ repo: repo.id, kind: 'repo_starting', reason: repo.lastError === undefined ? 'starting' : `starting again after ${repo.lastError.type}: ${repo.lastError.message}` });
        continue;
      }
      const down = repo.channels.filter((channel) => this.isDown(repo.id, channel));
      for (const channel of down) {
        problems.push({ repo: repo.id, kind: 'channel_down', channel: channel.kind, reason: `${channel.kind} ${channel.state}${channel.lastError === undefined ? '' : `: ${channel.lastError}`}` });
      }
      if (repo.channels.length === 0 || down.length < repo.channels.length) working++;
    }
    const running = repos.filter((r) => r.state === 'running').length;
    // A repo on its first start may yet work; one being retried after a failure counts as failed until it runs.
    const firstStart = repos.some((r) => r.state === 'starting' && r.lastError === undefined);
    const nothingWorks = config?.when === 'start' || (configured > 0 && working === 0 && !firstStart);
    return {
      status: nothingWorks ? 'error' : problems.length > 0 ? 'degraded' : 'ok',
      version: this.options.version,
      repos: { configured, running, failed: repos.filter((r) => r.state === 'failed').length },
      problems,
      reloadPending: this.options.serverPending() || repos.some((r) => r.reloadPending !== undefined),
      tasks: this.options.counts(),
    };
  }

  /** Looks at every repo and tells `onRepoChange` about those whose view changed. */
  refresh(): void {
    const repos = this.repos();
    this.observe(repos);
    const seen = new Set<string>();
    for (const repo of repos) {
      seen.add(repo.id);
      const text = JSON.stringify(repo);
      if (this.published.get(repo.id) === text) continue;
      this.published.set(repo.id, text);
      this.options.onRepoChange?.(repo);
    }
    for (const id of this.published.keys()) if (!seen.has(id)) this.published.delete(id);
  }

  /** Notes when each channel was last up, per running instance of its repo. */
  private observe(repos: readonly RepoView[]): void {
    const now = this.clock();
    const live = new Set<string>();
    for (const slot of this.options.supervisor.status()) {
      const runtime = slot.runtime;
      if (runtime === undefined) continue;
      const view = repos.find((r) => r.id === slot.id);
      for (const channel of view?.channels ?? []) {
        const key = `${slot.id}/${channel.kind}`;
        live.add(key);
        let watch = this.channels.get(key);
        if (watch?.runtime !== runtime) {
          // A restarted repo starts its channels afresh.
          watch = { runtime, everUp: false, downSince: now };
          this.channels.set(key, watch);
        }
        if (UP.has(channel.state)) {
          watch.everUp = true;
          watch.downSince = undefined;
        } else {
          watch.downSince ??= now;
        }
      }
    }
    for (const key of this.channels.keys()) if (!live.has(key)) this.channels.delete(key);
  }

  /**
   * A channel counts as down when it failed for good, when it has not
   * connected once since its repo started and an attempt failed (a wrong
   * password: it keeps retrying, but it is not a blip), or when it has been
   * down longer than the grace time.
   */
  private isDown(repoId: string, channel: ChannelView): boolean {
    if (UP.has(channel.state)) return false;
    if (channel.state === 'failed') return true;
    const watch = this.channels.get(`${repoId}/${channel.kind}`);
    if (watch === undefined) return false;
    if (!watch.everUp && (channel.state === 'backoff' || channel.lastError !== undefined)) return true;
    const since = watch.downSince;
    return since !== undefined && this.clock().getTime() - since.getTime() > (this.options.channelGraceMs ?? 60_000);
  }
}
