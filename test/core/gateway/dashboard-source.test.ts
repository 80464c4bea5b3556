import t from 'tap';
import { ConversationHistory, type DashboardEvent } from '../../../src/core/dashboard/index.js';
import type { RunEvent } from '../../../src/core/pipeline/index.js';
import { parseStreamJsonLine, type ClaudeEvent } from '../../../src/sandbox/index.js';
import { gatewaySource, type GatewaySource } from '../../../src/core/gateway/index.js';
import { TaskTracker } from '../../../src/core/gateway/index.js';

function world(stop?: (taskId: string) => Promise<boolean>) {
  const events: DashboardEvent[] = [];
  let hash = 'a'.repeat(64);
  const tracker = new TaskTracker({ clock: () => new Date('2026-01-02T03:04:05Z'), onChange: (task) => adapter.taskChanged(task) });
  const adapter: GatewaySource = gatewaySource({
    version: '1.2.3', tracker, repos: () => [{ id: 'r', state: 'running', channels: [], rejected: [] }],
    config: () => ({ path: '/etc/airut.yaml', exists: hash !== '', hash }),
    ...(stop === undefined ? {} : { stop }),
  });
  adapter.source.subscribe((event) => events.push(event));
  return { tracker, adapter, events, setHash: (next: string) => { hash = next; } };
}

t.test('tracker changes become task views and events', async (t) => {
  const { tracker, adapter, events } = world();
  const id = tracker.add({ repoId: 'r', conversationId: undefined, title: 'Hi', sender: 'a@b', messageId: 'm1' });
  tracker.start(id, 'c0ffee00');
  t.match(adapter.source.task(id), { taskId: id, state: 'running', conversationId: 'c0ffee00', startedAt: '2026-01-02T03:04:05.000Z' });
  t.same(adapter.source.counts(), { queued: 0, running: 1, completed: 0, failed: 0 });
  t.same(events.map((e) => e.type === 'task' ? e.task.state : e.type), ['queued', 'running']);
  adapter.runEvent({ repoId: 'r', conversationId: 'c0ffee00', taskId: id, event: { type: 'warning', message: 'w' } });
  t.match(events.at(-1), { type: 'run', taskId: id, event: { type: 'warning' } });
});

t.test('stop: unknown, finished, unsupported, and passed through for running and queued tasks', async (t) => {
  const plain = world();
  t.equal(await plain.adapter.source.stopTask('abcdefabcdef'), 'not_found');
  const task = plain.tracker.add({ repoId: 'r', conversationId: undefined, title: '', sender: '', messageId: 'm' });
  t.equal(await plain.adapter.source.stopTask(task), 'unsupported');
  plain.tracker.start(task, 'c0ffee00');
  t.equal(await plain.adapter.source.stopTask(task), 'unsupported');
  plain.tracker.finish(task, 'success');
  t.equal(await plain.adapter.source.stopTask(task), 'not_running');

  const asked: string[] = [];
  let answer = true;
  const stoppable = world((taskId) => { asked.push(taskId); return Promise.resolve(answer); });
  const running = stoppable.tracker.add({ repoId: 'r', conversationId: undefined, title: '', sender: '', messageId: 'm1' });
  stoppable.tracker.start(running, 'c0ffee00');
  const queued = stoppable.tracker.add({ repoId: 'r', conversationId: undefined, title: '', sender: '', messageId: 'm2' });
  t.equal(await stoppable.adapter.source.stopTask(running), 'stopping');
  t.equal(await stoppable.adapter.source.stopTask(queued), 'stopping');
  answer = false;
  t.equal(await stoppable.adapter.source.stopTask(queued), 'not_running', 'the gateway had nothing left to stop (it finished meanwhile)');
  t.same(asked, [running, queued, queued]);
});

t.test('config status counts loads, hashes the file and keeps the last reload error', async (t) => {
  const { adapter, setHash } = world();
  adapter.configLoaded();
  t.match(adapter.source.configStatus(), { path: '/etc/airut.yaml', generation: 1, fileHash: /^[0-9a-f]{64}$/, lastReloadError: undefined });
  adapter.reloadFailed('airut.yaml:2:1: unexpected end');
  t.match(adapter.source.configStatus(), { generation: 1, lastReloadError: 'airut.yaml:2:1: unexpected end' });
  setHash('');
  adapter.configLoaded();
  t.match(adapter.source.configStatus(), { generation: 2, fileHash: undefined, lastReloadError: undefined });
});

t.test('a TodoWrite of a running task is a plan event and the plan of its live record', async (t) => {
  const events: DashboardEvent[] = [];
  const tracker = new TaskTracker({ onChange: (task) => adapter.taskChanged(task) });
  const adapter = gatewaySource({
    version: '1.2.3', tracker, repos: () => [], config: () => ({ path: '/etc/airut.yaml', exists: false, hash: '' }),
    history: new ConversationHistory({ stateDir: t.testdir({}), repoIds: () => ['r'] }),
  });
  adapter.source.subscribe((event) => events.push(event));
  const id = tracker.add({ repoId: 'r', conversationId: undefined, title: 'Hi', sender: 'a@b', messageId: 'm1' });
  tracker.start(id, 'c0ffee00');
  const todo = (status: string): RunEvent => ({ type: 'claude', event: parseStreamJsonLine(JSON.stringify({
    type: 'assistant', message: { content: [{ type: 'tool_use', id: 't', name: 'TodoWrite', input: { todos: [{ content: 'Fix it', activeForm: 'Fixing it', status }] } }] },
  })) as ClaudeEvent });
  adapter.runEvent({ repoId: 'r', conversationId: 'c0ffee00', taskId: id, event: todo('in_progress') });
  t.match(events.slice(-2), [{ type: 'run', taskId: id }, { type: 'plan', taskId: id, plan: [{ content: 'Fix it', activeForm: 'Fixing it', status: 'in_progress' }] }], 'the run event, then the plan it sets');
  adapter.runEvent({ repoId: 'r', conversationId: 'c0ffee00', taskId: id, event: { type: 'warning', message: 'w' } });
  t.equal(events.filter((e) => e.type === 'plan').length, 1, 'other events set no plan');
  adapter.runEvent({ repoId: 'r', conversationId: 'c0ffee00', taskId: id, event: todo('completed') });
  t.same((await adapter.source.taskRecord?.(id))?.plan, [{ content: 'Fix it', activeForm: 'Fixing it', status: 'completed' }], 'a page opened late gets the latest plan');
  tracker.finish(id, 'internal_error');
  t.equal((await adapter.source.taskRecord?.(id))?.plan, undefined, 'a finished task\'s plan comes from its record on disk, which it has not');
});
