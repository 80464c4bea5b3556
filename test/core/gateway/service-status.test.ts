import t from 'tap';
import type { RepoRuntime } from '../../../src/core/gateway/index.js';
import type { RepoSlotStatus } from '../../../src/core/gateway/repo-supervisor.js';
import { RejectedLog } from '../../../src/core/gateway/rejected-log.js';
import { ServiceStatus } from '../../../src/core/gateway/service-status.js';

/** A repo slot whose channels report `states` (changed by the test between looks). */
function slot(id: string, state: RepoSlotStatus['state'], states: { kind: 'email' | 'slack'; state: string; lastError?: string; retryAt?: Date }[], extra: Partial<RepoSlotStatus> = {}): RepoSlotStatus {
  const runtime = state === 'running' || state === 'stopping' ? { handler: { channelStates: () => states } } as unknown as RepoRuntime : undefined;
  return { id, state, runtime, lastError: undefined, nextRetryAt: undefined, pending: undefined, ...extra };
}

function world(slots: () => RepoSlotStatus[], configProblem?: { when: 'start' | 'reload'; message: string }) {
  let now = new Date('2026-01-01T00:00:00Z');
  const rejected = new RejectedLog({ clock: () => now });
  const changes: string[] = [];
  const status = new ServiceStatus({
    version: '1.0.0',
    supervisor: { status: slots },
    rejected,
    counts: () => ({ queued: 0, running: 0, completed: 0, failed: 0 }),
    configProblem: () => configProblem,
    serverPending: () => false,
    channelGraceMs: 60_000,
    clock: () => now,
    onRepoChange: (repo) => changes.push(`${repo.id}:${repo.state}`),
  });
  return { status, rejected, changes, advance: (ms: number) => { now = new Date(now.getTime() + ms); } };
}

t.test('ok when every repo runs with its channels up; a channel that never connected and failed is degraded at once', async (t) => {
  const email = { kind: 'email' as const, state: 'idle' };
  const slack = { kind: 'slack' as const, state: 'backoff', lastError: 'invalid_auth' };
  const { status } = world(() => [slot('a', 'running', [email]), slot('b', 'running', [slack])]);
  const health = status.health();
  t.equal(health.status, 'degraded');
  t.same(health.problems, [{ repo: 'b', kind: 'channel_down', channel: 'slack', reason: 'slack backoff: invalid_auth' }]);
  t.same(health.repos, { configured: 2, running: 2, failed: 0 });
});

t.test('a channel that was up gets the grace time before it counts as down', async (t) => {
  const channel: { kind: 'email'; state: string; lastError?: string } = { kind: 'email', state: 'idle' };
  // The same running instances on every look: a new instance would be a restarted repo.
  const slots = [slot('a', 'running', [channel]), slot('b', 'running', [{ kind: 'email', state: 'idle' }])];
  const { status, advance } = world(() => slots);
  t.equal(status.health().status, 'ok');
  channel.state = 'backoff';
  channel.lastError = 'connection reset';
  t.equal(status.health().status, 'ok', 'a blip is not a problem');
  advance(59_000);
  t.equal(status.health().status, 'ok');
  advance(2_000);
  const health = status.health();
  t.equal(health.status, 'degraded', 'down past the grace time');
  t.match(health.problems, [{ repo: 'a', kind: 'channel_down', reason: /connection reset/ }]);
  channel.state = 'idle';
  t.equal(status.health().status, 'ok', 'back up');
});

t.test('error when nothing works: every repo failed, or the config did not load at start', async (t) => {
  const failed = world(() => [slot('a', 'failed', [], { lastError: { type: 'GIT_CLONE_FAILED', message: 'no such repo', at: new Date(0) } })]);
  t.match(failed.status.health(), { status: 'error', problems: [{ repo: 'a', kind: 'repo_failed', reason: 'GIT_CLONE_FAILED: no such repo' }] });
  const allDown = world(() => [slot('a', 'running', [{ kind: 'email', state: 'failed', lastError: 'gone' }])]);
  t.equal(allDown.status.health().status, 'error', 'a running repo whose only channel failed does not work');
  const start = world(() => [], { when: 'start', message: 'bad key' });
  t.match(start.status.health(), { status: 'error', problems: [{ kind: 'config_invalid', reason: 'bad key' }] });
  const reload = world(() => [slot('a', 'running', [{ kind: 'email', state: 'idle' }])], { when: 'reload', message: 'bad key' });
  t.equal(reload.status.health().status, 'degraded', 'a refused reload leaves the old config running');
  const none = world(() => []);
  t.equal(none.status.health().status, 'ok', 'no repos configured is ok');
});

t.test('repo views carry refused messages and pending restarts; refresh reports only changes', async (t) => {
  const restart: { pending?: string } = {};
  const { status, rejected, changes } = world(() => [slot('a', 'running', [{ kind: 'email', state: 'idle' }], { pending: restart.pending })]);
  status.refresh();
  status.refresh();
  t.same(changes, ['a:running'], 'an unchanged repo is not reported again');
  rejected.add('a', { repoId: 'a', messageId: '<m@x>', kind: 'unauthorized', reason: 'sender not authorized: m@x', sender: 'm@x' }, 'email');
  restart.pending = 'restart once its tasks finish (repo settings changed)';
  status.refresh();
  t.equal(changes.length, 2);
  const [repo] = status.repos();
  t.match(repo, { reloadPending: /restart/, rejected: [{ channel: 'email', sender: 'm@x', reason: 'unauthorized', detail: 'sender not authorized: m@x' }] });
  t.equal(status.health().reloadPending, true);
});

t.test('a channel waiting to reconnect shows when it retries; the time is gone once it is connected', async (t) => {
  const retryAt = new Date('2026-01-01T00:00:08Z');
  const channel: { kind: 'email'; state: string; lastError?: string; retryAt?: Date } = { kind: 'email', state: 'backoff', lastError: 'AUTHENTICATIONFAILED', retryAt };
  const slots = [slot('a', 'running', [channel])];
  const { status, changes } = world(() => slots);
  status.refresh();
  t.same(status.repos()[0]?.channels, [{ kind: 'email', state: 'backoff', lastError: 'AUTHENTICATIONFAILED', retryAt: '2026-01-01T00:00:08.000Z' }]);
  channel.retryAt = new Date('2026-01-01T00:00:24Z');
  status.refresh();
  t.equal(changes.length, 2, 'a new retry time is a change the live views hear of');
  channel.state = 'idle';
  delete channel.lastError;
  delete channel.retryAt;
  t.same(status.repos()[0]?.channels, [{ kind: 'email', state: 'idle' }]);
  channel.state = 'starting';
  channel.retryAt = retryAt;
  t.same(status.repos()[0]?.channels, [{ kind: 'email', state: 'starting' }], 'no retry time outside backoff');
});
