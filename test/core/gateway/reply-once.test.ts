/**
 * Compute once, send once: a crash (simulated by a channel whose send never
 * returns, then a new handler over the same state directory) at each point
 * of answering leads to exactly one run and the same stored reply.
 */
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { IncomingMessage, OutgoingReply } from '../../../src/core/channels/index.js';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker } from '../../../src/core/gateway/index.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from './fakes.js';
import { repoTemplate } from '../../harness/repo-template.js';

/** A channel that "dies" inside the send of a chosen reply kind: the reply counts as delivered, the call never returns. */
class DyingChannel extends FakeChannel {
  constructor(private readonly dieOn: OutgoingReply['kind'] | 'complete') {
    super();
  }

  override async reply(message: IncomingMessage, conversationId: string, reply: OutgoingReply): Promise<void> {
    await super.reply(message, conversationId, reply);
    if (reply.kind === this.dieOn) await new Promise(() => undefined);
  }

  /** Whether the handler has called `complete`: everything before it (the reply recorded sent) is done. */
  completing = false;

  override async complete(message: IncomingMessage): Promise<void> {
    this.completing = true;
    // waitFor re-checks its predicate on 'change'.
    this.events.emit('change');
    if (this.dieOn === 'complete') await new Promise(() => undefined);
    await super.complete(message);
  }
}

/** The upstream every test starts from: made once, copied for each test. */
const upstream = repoTemplate(t, upstreamRepo);

async function world(t: Test) {
  const root = await mkdtemp(join(tmpdir(), 'airut-once-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const repoUrl = await upstream.copyTo(join(root, 'upstream'));
  const stateDir = join(root, 'state');
  const handlers: RepoHandler[] = [];
  /** Starts a handler over the state directory, as a (re)started service does. */
  const start = async (channel: FakeChannel) => {
    const runner = new FakeRunner();
    const logs: LogRecord[] = [];
    const store = new ConversationStore(stateDir);
    const handler = new RepoHandler({
      repoId: 'repo',
      settings: { model: 'opus', showCost: true, acknowledge: { email: true } },
      store,
      mirror: new GitMirror({ repoUrl, repoStateDir: stateDir }),
      runner,
      ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
      channels: [channel],
      limit: new ConcurrencyLimit(2),
      tracker: new TaskTracker(),
      logger: new Logger((r) => logs.push(r)),
    });
    await handler.start();
    handlers.push(handler);
    return { handler, runner, logs, store };
  };
  // A "crashed" handler is abandoned, not stopped: its hung send would hold stop() forever.
  t.teardown(async () => { await handlers.at(-1)?.stop(0); });
  return { start, stateDir };
}

/** A message the way the channel offers it again after a restart: same id, fresh object. */
const again = (m: IncomingMessage): IncomingMessage => ({ ...m, attachments: [] });

t.test('killed after the answer was handed to the channel, before it was recorded: the same answer again, no second run', async (t) => {
  const w = await world(t);
  const first = new DyingChannel('result');
  const a = await w.start(first);
  a.runner.auto = async (request) => {
    await writeFile(join(request.layout.outbox, 'report.txt'), 'out');
    return success('All green.');
  };
  const m = message();
  await first.deliver(m);
  await first.waitFor(() => first.results().length === 1);
  const sentBefore = first.results()[0];
  const id = sentBefore?.conversationId ?? '';

  const second = new FakeChannel();
  const b = await w.start(second);
  await second.deliver(again(m));
  t.equal(b.runner.calls.length, 0, 'the task is not run again');
  t.same(second.replies.map((r) => r.reply.kind), ['result'], 'no second acknowledgement');
  const resent = second.replies[0];
  t.equal(resent?.conversationId, id);
  t.equal(resent?.message.messageId, m.messageId, 'answers the same message, so the channel derives the same Message-ID');
  t.equal(resent?.reply.markdown, sentBefore?.reply.markdown, 'same text');
  t.equal(resent?.reply.footer, sentBefore?.reply.footer, 'same footer');
  t.same(resent?.attached, ['report.txt'], 'same files');
  t.same(second.completed, [m.messageId]);
  t.same(await readdir(join(w.stateDir, 'conversations', id, 'outbox')), [], 'the outbox is cleared once delivered');
  t.ok(b.logs.some((l) => /sending the same answer again, not running the task/.test(l.message)), 'the resend is logged');
  const record = JSON.parse(await readFile(join(w.stateDir, 'conversations', id, 'conversation.json'), 'utf8'));
  t.equal(record.replies.length, 1, 'one recorded reply');
  t.notOk('pending_request_text' in record);

  // A third start: the message is answered and only completed.
  const third = new FakeChannel();
  const c = await w.start(third);
  await third.deliver(again(m));
  t.equal(c.runner.calls.length, 0);
  t.same(third.replies, [], 'nothing sent a third time');
  t.same(third.completed, [m.messageId]);
});

t.test('killed after the answer was recorded sent, before the message was completed: nothing is sent again', async (t) => {
  const w = await world(t);
  const first = new DyingChannel('complete');
  const a = await w.start(first);
  a.runner.auto = () => success('Done.');
  const m = message();
  await first.deliver(m);
  await first.waitFor(() => first.results().length === 1);
  // Dies once the handler reaches complete, that is after it recorded the answer sent.
  await first.waitFor(() => first.completing);

  const second = new FakeChannel();
  const b = await w.start(second);
  await second.deliver(again(m));
  t.equal(b.runner.calls.length, 0, 'no second run');
  t.same(second.replies, [], 'no second reply');
  t.same(second.completed, [m.messageId], 'the message is completed');
});

t.test('killed after the acknowledgement was handed over, before it was recorded: the same acknowledgement again, then one run', async (t) => {
  const w = await world(t);
  const first = new DyingChannel('acknowledgement');
  const a = await w.start(first);
  const m = message();
  await first.deliver(m);
  await first.waitFor(() => first.replies.length === 1);
  t.equal(a.runner.calls.length, 0, 'the run had not started');
  const ack = first.replies[0];

  const second = new FakeChannel();
  const b = await w.start(second);
  b.runner.auto = () => success('Answer.');
  await second.deliver(again(m));
  await second.waitFor(() => second.completed.length === 1);
  t.equal(b.runner.calls.length, 1, 'one run');
  t.same(second.replies.map((r) => r.reply.kind), ['acknowledgement', 'result']);
  t.equal(second.replies[0]?.reply.markdown, ack?.reply.markdown);
  t.equal(second.replies[0]?.message.messageId, ack?.message.messageId, 'answers the same message: same Message-ID');
  t.equal(second.replies[0]?.conversationId, ack?.conversationId, 'same conversation');
});

t.test('killed during the run after the acknowledgement was sent: run again, no second acknowledgement', async (t) => {
  const w = await world(t);
  const first = new FakeChannel();
  const a = await w.start(first);
  const m = message();
  await first.deliver(m);
  await a.runner.started(1);
  t.same(first.replies.map((r) => r.reply.kind), ['acknowledgement']);

  const second = new FakeChannel();
  const b = await w.start(second);
  b.runner.auto = () => success('Answer.');
  await second.deliver(again(m));
  await second.waitFor(() => second.completed.length === 1);
  t.equal(b.runner.calls.length, 1, 'the interrupted run had no result, so it runs again');
  t.same(second.replies.map((r) => r.reply.kind), ['result'], 'the acknowledgement is not sent twice');
});

t.test('a half-made workspace from a crash is made again and the owed acknowledgement is sent', async (t) => {
  const w = await world(t);
  const first = new FakeChannel();
  const a = await w.start(first);
  const m = message();
  // The conversation exists and the message was taken; the crash came while the workspace was cloned.
  const { conversationId: id } = await a.store.create({ model: 'opus' });
  const ledger = await MessageLedger.open(join(w.stateDir, 'messages.jsonl'));
  await ledger.accept(m.messageId, id);
  const layout = a.store.layout(id);
  await mkdir(join(layout.workspace, '.git'), { recursive: true });
  await mkdir(join(layout.dir, '.workspace.deadbeef.tmp', '.git'), { recursive: true });

  const second = new FakeChannel();
  const b = await w.start(second);
  t.notOk((await readdir(layout.dir)).includes('.workspace.deadbeef.tmp'), 'the leftover clone is removed at start');
  b.runner.auto = () => success('Answer.');
  await second.deliver(again(m));
  await second.waitFor(() => second.completed.length === 1);
  t.same(second.replies.map((r) => [r.reply.kind, r.conversationId]), [['acknowledgement', id], ['result', id]], 'acknowledged and answered in its conversation');
  t.equal(b.runner.calls.length, 1);
  t.equal(await readFile(join(layout.workspace, 'README.md'), 'utf8'), 'hello\n', 'a complete workspace');
  t.ok(await b.store.canResume(id));
  t.ok(b.logs.some((l) => /not completely created/.test(l.message)), 'the remake is logged');
});

t.test('a reply that cannot be sent is stored; the next offer sends it without running again', async (t) => {
  const w = await world(t);
  const channel = new FakeChannel();
  const a = await w.start(channel);
  a.runner.auto = () => success('Stored answer.');
  const m = message();
  channel.failReplies = true;
  await channel.deliver(m);
  await once(a.runner.events, 'call');
  await a.handler.whenIdle();
  t.same(channel.completed, [], 'not completed while undelivered');
  channel.failReplies = false;
  await channel.deliver(again(m));
  t.equal(a.runner.calls.length, 1, 'one run');
  t.same(channel.results().map((r) => r.reply.markdown), ['Stored answer.']);
  t.same(channel.completed, [m.messageId]);
});

t.test('a whole workspace without its marker (made by an older version) is adopted at start and resumed', async (t) => {
  const w = await world(t);
  const first = new FakeChannel();
  const a = await w.start(first);
  a.runner.auto = () => success('One.', 'sess-1');
  const m = message();
  await first.deliver(m);
  await first.waitFor(() => first.completed.length === 1);
  const id = first.results()[0]?.conversationId ?? '';
  const layout = a.store.layout(id);
  await writeFile(join(layout.workspace, 'work.txt'), 'kept');
  await rm(layout.workspaceMarker);

  const second = new FakeChannel();
  const b = await w.start(second);
  t.ok(await b.store.canResume(id), 'marked complete at start');
  b.runner.auto = () => success('Two.', 'sess-2');
  await second.deliver(message({ conversationId: id }));
  await second.waitFor(() => second.completed.length === 1);
  t.equal(second.results()[0]?.conversationId, id, 'the follow-up continues the conversation');
  t.equal(b.runner.call(0).request.sessionId, 'sess-1', 'and its session');
  t.equal(await readFile(join(layout.workspace, 'work.txt'), 'utf8'), 'kept', 'the work in it is kept');
});
