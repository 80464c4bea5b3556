import { EventEmitter, once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConversationStore, GitMirror, parseConversation } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker } from '../../../src/core/gateway/index.js';
import { Logger } from '../../../src/core/log/index.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from './fakes.js';

async function setup(t: Test, max = 3) {
  const root = await mkdtemp(join(tmpdir(), 'airut-stop-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const stateDir = join(root, 'state', 'repo');
  const store = new ConversationStore(stateDir);
  const runner = new FakeRunner();
  const channel = new FakeChannel();
  const changes = new EventEmitter();
  const tracker = new TaskTracker({ onChange: () => changes.emit('change') });
  const finished = async (n: number): Promise<void> => {
    while (tracker.counts().completed + tracker.counts().failed < n) await once(changes, 'change');
  };
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', showCost: true, acknowledge: { email: false } },
    store,
    mirror: new GitMirror({ repoUrl: await upstreamRepo(root), repoStateDir: stateDir }),
    runner,
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [channel],
    limit: new ConcurrencyLimit(max),
    tracker,
    logger: new Logger(() => undefined),
  });
  await handler.start();
  t.teardown(() => handler.stop(0));
  return { store, runner, channel, tracker, handler, finished };
}

t.test('stopping a running task aborts its run; the user is told it was stopped and the work is kept', async (t) => {
  const s = await setup(t);
  const m = message({ subject: 'Long job' });
  await s.channel.deliver(m);
  await s.runner.started(1);
  const task = s.tracker.list()[0];
  t.equal(task?.state, 'running');
  const taskId = task?.taskId ?? '';

  t.equal(s.handler.stopTask('ffffffffffff'), false, 'an unknown task is not stopped');
  t.equal(s.handler.stopTask(taskId), true);
  t.ok(s.runner.call(0).request.signal.aborted, 'the run was aborted (the sandbox runner stops the container on abort)');
  await s.finished(1);

  const [reply] = s.channel.results();
  t.equal(reply?.reply.kind, 'interrupted');
  t.match(reply?.reply.markdown, /stopped from the Airut dashboard before it finished/);
  t.match(reply?.reply.markdown, /work done so far has been kept/);
  t.match(reply?.reply.markdown, /Reply to continue/);
  t.same(s.channel.completed, [m.messageId], 'the message is done: not offered again after a restart');
  t.match(s.tracker.get(taskId), { state: 'failed', reason: 'stopped' });
  t.equal(s.handler.stopTask(taskId), false, 'a finished task cannot be stopped again');

  const record = parseConversation(await readFile(s.store.layout(reply?.conversationId ?? '').metadataFile, 'utf8'));
  t.equal(record?.replies.length, 1, 'the stop is recorded as the reply of that run');
  t.equal(record?.replies[0]?.isError, true);
});

t.test('a queued task is cancelled without running; a running one beside it is untouched', async (t) => {
  const s = await setup(t, 1);
  const first = message({ subject: 'First' });
  const second = message({ subject: 'Second', sender: 'Bob <bob@example.com>' });
  await s.channel.deliver(first);
  await s.runner.started(1);
  await s.channel.deliver(second);
  const queued = s.tracker.list().find((task) => task.state === 'queued');
  t.ok(queued, 'the second message waits for the only slot');

  t.equal(s.handler.stopTask(queued?.taskId ?? ''), true);
  await s.finished(1);
  t.match(s.tracker.get(queued?.taskId ?? ''), { state: 'failed', reason: 'stopped' });
  const cancelled = s.channel.results().find((r) => r.message.messageId === second.messageId);
  t.equal(cancelled?.reply.kind, 'interrupted');
  t.match(cancelled?.reply.markdown, /stopped from the Airut dashboard before it started/);
  t.ok(s.channel.completed.includes(second.messageId));
  const record = parseConversation(await readFile(s.store.layout(cancelled?.conversationId ?? '').metadataFile, 'utf8'));
  t.match(record?.replies[0]?.requestText, /Subject: Second[\s\S]*\[Bob <bob@example.com> /, 'the cancelled request is recorded with who sent it');

  s.runner.call(0).finish(success('Done.'));
  await s.finished(2);
  t.equal(s.runner.calls.length, 1, 'the cancelled task never ran, even once the slot was free');
  t.equal(s.channel.results().find((r) => r.message.messageId === first.messageId)?.reply.markdown, 'Done.');
});

t.test('a follow-up queued behind its own conversation\'s run can be cancelled; a later one still runs', async (t) => {
  const s = await setup(t);
  const first = message({ subject: 'Refactor' });
  await s.channel.deliver(first);
  await s.runner.started(1);
  const conversationId = s.runner.call(0).request.conversationId;
  const followUp = message({ conversationId, subject: 'Re: Refactor', text: 'also the docs' });
  await s.channel.deliver(followUp);
  const waiting = s.tracker.list().find((task) => task.state === 'queued');
  t.equal(waiting?.conversationId, conversationId);
  t.equal(s.handler.stopTask(waiting?.taskId ?? ''), true);
  await s.finished(1);

  const later = message({ conversationId, subject: 'Re: Refactor', text: 'only the tests then' });
  await s.channel.deliver(later);
  s.runner.call(0).finish(success('Refactored.'));
  await s.runner.started(2);
  t.match(s.runner.call(1).request.prompt, /only the tests then/);
  t.notMatch(s.runner.call(1).request.prompt, /also the docs/, 'the cancelled message is not merged into the next run');
  s.runner.call(1).finish(success('Tests done.'));
  await s.finished(3);
  t.same(s.tracker.list().map((task) => task.reason), ['success', 'stopped', 'success']);
});
