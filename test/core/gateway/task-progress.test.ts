import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker } from '../../../src/core/gateway/index.js';
import { latestPlan, planOf } from '../../../src/core/gateway/task-plan.js';
import { Logger } from '../../../src/core/log/index.js';
import { parseStreamJsonLine, type ClaudeEvent } from '../../../src/sandbox/claude/stream/index.js';
import { FakeChannel, FakeRunner, message, ProgressChannel, result, success, upstreamRepo } from './fakes.js';

/** A parsed stream-json event. */
function claude(data: object): ClaudeEvent {
  const event = parseStreamJsonLine(JSON.stringify(data));
  if (event === undefined) throw new Error('not an event');
  return event;
}

function todoWrite(todos: unknown, extra: object = {}): ClaudeEvent {
  return claude({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'tu1', name: 'TodoWrite', input: { todos } }] }, session_id: 's', ...extra });
}

async function handlerWith(t: Test, channel: FakeChannel): Promise<{ runner: FakeRunner; tracker: TaskTracker; handler: RepoHandler }> {
  const root = await mkdtemp(join(tmpdir(), 'airut-progress-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const stateDir = join(root, 'state');
  const runner = new FakeRunner();
  const tracker = new TaskTracker({});
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', showCost: false, acknowledge: { email: true } },
    store: new ConversationStore(stateDir),
    mirror: new GitMirror({ repoUrl: await upstreamRepo(root), repoStateDir: stateDir }),
    runner,
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [channel],
    limit: new ConcurrencyLimit(1),
    tracker,
    logger: new Logger(() => undefined),
  });
  await handler.start();
  t.teardown(() => handler.stop(0));
  return { runner, tracker, handler };
}

t.test('planOf reads the main agent\'s TodoWrite lists and nothing else', (t) => {
  t.same(planOf(todoWrite([
    { content: 'Reproduce', activeForm: 'Reproducing', status: 'completed' },
    { content: 'Fix', status: 'in_progress' },
    { content: '', status: 'pending' },
    { content: 'Odd', status: 'blocked' },
    'not an item',
  ])), [{ content: 'Reproduce', activeForm: 'Reproducing', status: 'completed' }, { content: 'Fix', status: 'in_progress' }], 'items without text or with an unknown status are left out');
  t.same(planOf(todoWrite([])), [], 'an emptied list is a plan');
  t.equal(planOf(todoWrite('nope')), undefined, 'no list, no plan');
  t.equal(planOf(todoWrite([{ content: 'Sub', status: 'pending' }], { parent_tool_use_id: 'task-1' })), undefined, 'a subagent\'s list is not the task\'s plan');
  t.equal(planOf(claude({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 'x', name: 'Bash', input: { command: 'ls' } }] } })), undefined);
  t.same(latestPlan([todoWrite([{ content: 'A', status: 'pending' }]), claude({ type: 'assistant', message: { content: [{ type: 'text', text: 'hi' }] } }), todoWrite([{ content: 'A', status: 'completed' }])]),
    [{ content: 'A', status: 'completed' }]);
  t.end();
});

t.test('each TodoWrite of a run reaches the channel\'s progress in order; its end comes before the answer', async (t) => {
  const channel = new ProgressChannel();
  const { runner } = await handlerWith(t, channel);
  runner.auto = (request) => {
    request.onEvent({ type: 'claude', event: todoWrite([{ content: 'A', status: 'in_progress' }]) });
    request.onEvent({ type: 'claude', event: claude({ type: 'assistant', message: { content: [{ type: 'text', text: 'working' }] } }) });
    request.onEvent({ type: 'claude', event: todoWrite([{ content: 'A', status: 'completed' }]) });
    return success('Done.');
  };
  await channel.deliver(message());
  await channel.waitFor(() => channel.results().length === 1);
  t.same(channel.steps, [
    { reply: 'acknowledgement' },
    { plan: [{ content: 'A', status: 'in_progress' }] },
    { plan: [{ content: 'A', status: 'completed' }] },
    { end: 'completed' },
    { reply: 'result' },
  ]);
});

t.test('a failed, a stopped and an unrunnable task end their progress marked so', async (t) => {
  const channel = new ProgressChannel();
  const { runner, tracker, handler } = await handlerWith(t, channel);
  runner.auto = () => result(1, [{ type: 'system', subtype: 'init', session_id: 's' }], { stderr: 'boom' });
  await channel.deliver(message());
  await channel.waitFor(() => channel.results().length === 1);
  runner.auto = undefined;
  await channel.deliver(message());
  await runner.started(2);
  t.ok(handler.stopTask(tracker.list().find((task) => task.state === 'running')?.taskId ?? ''), 'the operator stops the second');
  await channel.waitFor(() => channel.results().length === 2);
  runner.failWith = new Error('podman is gone');
  await channel.deliver(message());
  await channel.waitFor(() => channel.results().length === 3);
  t.same(channel.steps.filter((s) => 'end' in s), [{ end: 'failed' }, { end: 'stopped' }, { end: 'failed' }]);
});

t.test('an email-like channel without progress gets nothing new: one acknowledgement, one answer', async (t) => {
  const channel = new FakeChannel();
  const { runner } = await handlerWith(t, channel);
  runner.auto = (request) => {
    request.onEvent({ type: 'claude', event: todoWrite([{ content: 'A', status: 'in_progress' }]) });
    return success('Done.');
  };
  await channel.deliver(message());
  await channel.waitFor(() => channel.results().length === 1);
  t.same(channel.replies.map((r) => r.reply.kind), ['acknowledgement', 'result']);
});
