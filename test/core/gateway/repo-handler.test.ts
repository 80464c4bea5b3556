import { EventEmitter, once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker, type GatewayRunEvent, type RepoSettings } from '../../../src/core/gateway/index.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';
import { FakeChannel, FakeRunner, message, result, success, upstreamRepo } from './fakes.js';
import { repoTemplate } from '../../harness/repo-template.js';


/** The upstream every test starts from: made once, copied for each test. */
const upstream = repoTemplate(t, upstreamRepo);

async function setup(t: Test, options: { max?: number; settings?: Partial<RepoSettings>; limit?: ConcurrencyLimit; stateDir?: string; repoUrl?: string } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'airut-gw-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const repoUrl = options.repoUrl ?? await upstream.copyTo(join(root, 'upstream'));
  const stateDir = options.stateDir ?? join(root, 'state', 'repo');
  const store = new ConversationStore(stateDir);
  const runner = new FakeRunner();
  const channel = new FakeChannel();
  const trackerEvents = new EventEmitter();
  const tracker = new TaskTracker({ onChange: () => trackerEvents.emit('change') });
  /** Resolves once `n` tasks have finished (completed or failed). */
  const finished = async (n: number): Promise<void> => {
    while (tracker.counts().completed + tracker.counts().failed < n) await once(trackerEvents, 'change');
    // The slot is released right after the tracker is told.
    await new Promise((resolve) => setImmediate(resolve));
  };
  const logs: LogRecord[] = [];
  const runEvents: GatewayRunEvent[] = [];
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', effort: 'high', timeoutSeconds: 600, showCost: true, acknowledge: { email: true }, ...options.settings },
    store,
    mirror: new GitMirror({ repoUrl, repoStateDir: stateDir }),
    runner,
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [channel],
    limit: options.limit ?? new ConcurrencyLimit(options.max ?? 3),
    tracker,
    logger: new Logger((r) => logs.push(r)),
    onRunEvent: (e) => runEvents.push(e),
  });
  await handler.start();
  t.teardown(() => handler.stop(0));
  return { finished, root, repoUrl, stateDir, store, runner, channel, tracker, handler, logs, runEvents };
}

t.test('a new message: workspace, acknowledgement, prompt, reply with the outbox, completion', async (t) => {
  const s = await setup(t, { settings: { dashboardBaseUrl: 'https://airut.example.com/' } });
  const m = message({ subject: 'Fix the tests', text: 'Please fix them.', attachments: [{ filename: '../report.txt', contentType: 'text/plain', content: Buffer.from('data') }] });
  s.runner.auto = async (request) => {
    await writeFile(join(request.layout.outbox, 'result.txt'), 'out');
    await mkdir(join(request.layout.outbox, 'keep-dir'));
    request.onEvent({ type: 'phase', phase: 'task', state: 'started' });
    return success('All green.');
  };
  await s.channel.deliver(m);
  await s.finished(1);

  const [ack, answer] = s.channel.replies;
  t.equal(ack?.reply.kind, 'acknowledgement');
  const id = ack?.conversationId ?? '';
  t.match(id, /^[0-9a-f]{8}$/);
  t.match(ack?.reply.markdown, `See progress at https://airut.example.com/conversation/${id}`);
  t.equal(answer?.reply.kind, 'result');
  t.equal(answer?.reply.markdown, 'All green.');
  t.equal(answer?.reply.footer, `Cost: $0.0123 · https://airut.example.com/conversation/${id}`);
  t.same(answer?.attached, ['result.txt'], 'regular files of the outbox root only');
  t.same(s.channel.completed, [m.messageId]);

  const layout = s.store.layout(id);
  t.equal(await readFile(join(layout.workspace, 'README.md'), 'utf8'), 'hello\n');
  t.equal(await readFile(join(layout.inbox, 'report.txt'), 'utf8'), 'data', 'attachment saved under its base name');
  t.same(await readdir(layout.outbox), ['keep-dir'], 'delivered files cleared, directories kept');

  const request = s.runner.call(0).request;
  t.equal(request.model, 'opus');
  t.equal(request.effort, 'high');
  t.equal(request.sessionId, undefined);
  t.match(request.prompt, /reached you by email/);
  t.match(request.prompt, /\/outbox/);
  t.match(request.prompt, /saved in \/inbox\/: report\.txt/);
  t.match(request.prompt, /Subject: Fix the tests\n\n\[Ada <ada@example\.com> 2026-01-02 03:04:05 UTC\]\nPlease fix them\.$/);

  const record = await s.store.read(id);
  t.equal(record.model, 'opus');
  t.equal(record.replies.length, 1);
  t.equal(record.replies[0]?.sessionId, 'sess-1');
  t.equal(record.replies[0]?.responseText, 'All green.');
  t.equal(record.pendingRequestText, undefined);
  t.same(s.tracker.counts(), { queued: 0, running: 0, completed: 1, failed: 0 });
  t.ok(s.runEvents.some((e) => e.conversationId === id && e.event.type === 'phase'), 'run events carry their ids');
  t.ok(s.runEvents.some((e) => e.event.type === 'finished'));
});

t.test('a reply resumes the session and keeps the model; no second acknowledgement', async (t) => {
  const s = await setup(t);
  s.runner.auto = (_r, i) => success(`answer ${i}`, `sess-${i}`);
  await s.channel.deliver(message({ modelHint: 'sonnet' }));
  await s.channel.waitFor(() => s.channel.completed.length === 1);
  const id = s.channel.replies[0]?.conversationId ?? '';
  await writeFile(join(s.store.layout(id).workspace, 'earlier.txt'), 'kept');
  await s.channel.deliver(message({ conversationId: id, text: 'and now the docs', modelHint: 'haiku' }));
  await s.channel.waitFor(() => s.channel.completed.length === 2);
  const second = s.runner.call(1).request;
  t.equal(second.sessionId, 'sess-0');
  t.equal(second.model, 'sonnet', 'the model of the first message stays');
  t.notMatch(second.prompt, /Subject:/, 'resumed prompts carry no subject');
  t.ok(existsSync(join(s.store.layout(id).workspace, 'earlier.txt')), 'workspace kept');
  t.same(s.channel.replies.map((r) => r.reply.kind), ['acknowledgement', 'result', 'result']);
  t.equal(s.channel.replies[2]?.conversationId, id);
});

t.test('three follow-ups during a run become one merged run, in order, with one reply', async (t) => {
  const s = await setup(t);
  await s.channel.deliver(message({ text: 'start' }));
  await s.runner.started(1);
  const id = s.runner.call(0).request.conversationId;
  const followUps = ['one', 'two', 'three'].map((text, i) => message({
    conversationId: id, text, sender: `User${i} <u${i}@example.com>`, receivedAt: new Date(Date.UTC(2026, 0, 2, 3, 5, i)),
  }));
  for (const m of followUps) await s.channel.deliver(m);
  t.same(s.tracker.counts(), { queued: 1, running: 1, completed: 0, failed: 0 }, 'one waiting task holds all three');
  s.runner.call(0).finish(success('first done'));
  await s.runner.started(2);
  t.equal(s.runner.calls.length, 2);
  const prompt = s.runner.call(1).request.prompt;
  t.match(prompt, /\[User0 <u0@example\.com> 2026-01-02 03:05:00 UTC\]\none\n\n\[User1 <u1@example\.com> 2026-01-02 03:05:01 UTC\]\ntwo\n\n\[User2 <u2@example\.com> 2026-01-02 03:05:02 UTC\]\nthree$/);
  s.runner.call(1).finish(success('all three done'));
  await s.finished(2);
  t.equal(s.channel.completed.length, 4);
  t.same(s.channel.results().map((r) => r.reply.markdown), ['first done', 'all three done']);
  t.equal(s.channel.results()[1]?.message.messageId, followUps[2]?.messageId, 'answered in reply to the newest message');
  t.same(s.tracker.counts(), { queued: 0, running: 0, completed: 2, failed: 0 });
  t.equal(s.runner.calls.length, 2);
});

t.test('max_concurrent is respected across repos sharing the limit', async (t) => {
  const limit = new ConcurrencyLimit(2);
  const a = await setup(t, { limit });
  const b = await setup(t, { limit });
  for (let i = 0; i < 3; i++) {
    await a.channel.deliver(message());
    await b.channel.deliver(message());
  }
  await a.runner.started(1);
  await b.runner.started(1);
  t.equal(a.runner.active + b.runner.active, 2);
  t.equal(limit.queued, 4);
  let finished = 0;
  while (finished < 6) {
    const call = [...a.runner.calls, ...b.runner.calls].find((c) => !(c as { done?: boolean }).done);
    if (call === undefined) {
      await Promise.race([a.runner.started(a.runner.calls.length + 1), b.runner.started(b.runner.calls.length + 1)]);
      continue;
    }
    (call as { done?: boolean }).done = true;
    call.finish(success('ok'));
    finished++;
    t.ok(a.runner.active + b.runner.active <= 2);
  }
  await a.finished(3);
  await b.finished(3);
  t.ok(a.runner.maxActive + b.runner.maxActive <= 3 && Math.max(a.runner.maxActive, b.runner.maxActive) <= 2);
  t.equal(limit.inUse, 0);
});

t.test('a session that cannot be resumed is retried once, fresh, with a recovery prompt', async (t) => {
  for (const outcome of ['prompt-too-long', 'api-error'] as const) {
    await t.test(outcome, async (t) => {
      const s = await setup(t);
      s.runner.auto = (_r, i) => {
        if (i === 0) return success('the earlier answer', 'old-session');
        if (i === 1) {
          return outcome === 'prompt-too-long'
            ? result(1, [{ type: 'result', subtype: 'error_during_execution', is_error: true, result: 'Prompt is too long', session_id: 'old-session' }])
            : result(1, [], { stderr: 'API Error: 400 tool_use without tool_result' });
        }
        return success('fresh answer', 'new-session');
      };
      await s.channel.deliver(message());
      await s.channel.waitFor(() => s.channel.completed.length === 1);
      const id = s.channel.replies[0]?.conversationId ?? '';
      await s.channel.deliver(message({ conversationId: id, text: 'continue' }));
      await s.channel.waitFor(() => s.channel.completed.length === 2);
      t.equal(s.runner.calls.length, 3);
      t.equal(s.runner.call(1).request.sessionId, 'old-session');
      t.equal(s.runner.call(2).request.sessionId, undefined, 'retried without the session');
      t.match(s.runner.call(2).request.prompt, /could not be resumed/);
      t.match(s.runner.call(2).request.prompt, /---\nthe earlier answer\n---/);
      t.match(s.runner.call(2).request.prompt, /The user's message:\n\[Ada <ada@example\.com> [^\]]+\]\ncontinue$/);
      t.same(s.channel.results().map((r) => r.reply.markdown), ['the earlier answer', 'fresh answer']);
      const record = await s.store.read(id);
      t.equal(record.replies.length, 2, 'only the final attempt is recorded');
      t.equal(record.replies[1]?.sessionId, 'new-session');
    });
  }
});

t.test('timeouts and failures say what happened and that the work is kept', async (t) => {
  const s = await setup(t, { settings: { timeoutSeconds: 30 } });
  s.runner.auto = async (request, i) => {
    await writeFile(join(request.layout.outbox, `file${i}.txt`), 'x');
    if (i === 0) return result(undefined, [{ type: 'assistant', message: { content: [{ type: 'text', text: 'partial' }] } }], { timedOut: true });
    return result(1, [{ type: 'result', subtype: 'error', is_error: true, result: 'line 1\nBoom happened' }]);
  };
  await s.channel.deliver(message());
  await s.channel.waitFor(() => s.channel.completed.length === 1);
  const timeout = s.channel.results()[0];
  t.equal(timeout?.reply.kind, 'error');
  t.match(timeout?.reply.markdown, /stopped after 30 seconds because it ran out of time/);
  t.match(timeout?.reply.markdown, /work done so far has been kept/);
  t.same(timeout?.attached, [], 'a timeout leaves the outbox for the next reply');
  const id = timeout?.conversationId ?? '';
  t.same(await readdir(s.store.layout(id).outbox), ['file0.txt']);

  await s.channel.deliver(message({ conversationId: id }));
  await s.finished(2);
  const failure = s.channel.results()[1];
  t.equal(failure?.reply.kind, 'error');
  t.match(failure?.reply.markdown, /An error occurred while processing your message\. The work done so far has been kept/);
  t.match(failure?.reply.markdown, /Claude output:\n\n```\nline 1\nBoom happened\n```/);
  t.same(failure?.attached, ['file0.txt', 'file1.txt'], 'a failure still ships the outbox');
  t.same(s.tracker.counts(), { queued: 0, running: 0, completed: 0, failed: 2 });
  const record = await s.store.read(id);
  t.same(record.replies.map((r) => r.isError), [true, true]);
});

t.test('infrastructure failures: a task that cannot run, a mirror that cannot update, a reply that cannot be sent', async (t) => {
  const s = await setup(t);
  s.runner.failWith = Object.assign(new Error('no Dockerfile'), { name: 'GatewayError' });
  await s.channel.deliver(message());
  await s.channel.waitFor(() => s.channel.completed.length === 1);
  t.match(s.channel.results()[0]?.reply.markdown, /An error occurred while processing your message\. To retry, send your message again\.\n\n`GatewayError: no Dockerfile`/);

  s.runner.failWith = undefined;
  await rm(s.repoUrl, { recursive: true });
  const id = s.channel.results()[0]?.conversationId;
  await s.channel.deliver(message({ conversationId: id }));
  await s.channel.waitFor(() => s.channel.completed.length === 2);
  t.match(s.channel.results()[1]?.reply.markdown, /`ConversationError: updating the mirror of .* failed/);
  t.equal(s.runner.calls.length, 0);

  s.channel.failReplies = true;
  const kept = message({ conversationId: id });
  await s.channel.deliver(kept);
  await s.finished(3);
  t.notOk(s.channel.completed.includes(kept.messageId), 'an unanswered message is not completed');
  t.ok(s.logs.some((l) => l.message === 'reply could not be sent'));
});

t.test('a failed clone answers, removes the partial conversation and starts fresh next time', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream.copyTo(join(root, 'upstream'));
  await execa('git', ['-C', repoUrl, 'symbolic-ref', 'HEAD', 'refs/heads/gone']);
  const s = await setup(t, { repoUrl });
  await s.channel.deliver(message());
  await s.channel.waitFor(() => s.channel.completed.length === 1);
  t.match(s.channel.replies[0]?.reply.markdown, /An error occurred while creating the workspace/);
  t.same(await s.store.list(), [], 'nothing left behind');
});

t.test('empty messages are answered without a run', async (t) => {
  const s = await setup(t);
  await s.channel.deliver(message({ subject: undefined, text: '  ' }));
  await s.channel.waitFor(() => s.channel.completed.length === 1);
  t.match(s.channel.replies[0]?.reply.markdown, /appears to be empty/);
  t.equal(s.runner.calls.length, 0);
  s.runner.auto = () => success('subject only is fine');
  await s.channel.deliver(message({ subject: 'Run the linter', text: '' }));
  await s.channel.waitFor(() => s.channel.completed.length === 2);
  t.equal(s.channel.results()[1]?.reply.markdown, 'subject only is fine');
});

t.test('a redelivered message is answered exactly once, across a restart too', async (t) => {
  const root = t.testdir();
  const repoUrl = await upstream.copyTo(join(root, 'upstream'));
  const stateDir = join(root, 'state');
  const first = await setup(t, { repoUrl, stateDir });
  const m = message();
  await first.channel.deliver(m);
  await first.runner.started(1);
  await first.channel.deliver(m);
  t.equal(first.tracker.list().length, 1, 'a redelivery while in flight is ignored');
  const id = first.runner.call(0).request.conversationId;
  // The process dies mid-run: nothing is answered or completed.
  await first.handler.stop(0);
  t.same(first.channel.results().map((r) => r.reply.kind), ['interrupted']);

  const crashed = message();
  const second = await setup(t, { repoUrl, stateDir });
  second.runner.auto = () => success('done');
  await second.channel.deliver(m);
  t.equal(second.runner.calls.length, 0, 'answered before the restart: only completed');
  t.same(second.channel.completed, [m.messageId]);

  // An accepted but unanswered message goes back to its conversation.
  const ledger = await MessageLedger.open(join(stateDir, 'messages.jsonl'));
  await ledger.accept(crashed.messageId, id);
  const third = await setup(t, { repoUrl, stateDir });
  third.runner.auto = () => success('done');
  await third.channel.deliver(crashed);
  await third.channel.waitFor(() => third.channel.completed.length === 1);
  t.equal(third.runner.call(0).request.conversationId, id);
  await third.channel.deliver(crashed);
  t.equal(third.runner.calls.length, 1);
});

t.test('stop: waits for running tasks, then interrupts them; refuses new messages', async (t) => {
  const s = await setup(t);
  await s.channel.deliver(message());
  await s.runner.started(1);
  const id = s.runner.call(0).request.conversationId;
  const waiting = message({ conversationId: id, text: 'queued behind' });
  await s.channel.deliver(waiting);

  const stopping = s.handler.stop(60_000);
  await t.rejects(s.channel.deliver(message()), { code: 'GATEWAY_STOPPED' });
  t.notOk(s.channel.stopped, 'channels keep running until the tasks are answered');
  s.runner.call(0).finish(success('finished in time'));
  await stopping;
  t.same(s.channel.results().map((r) => r.reply.markdown), ['finished in time']);
  t.notOk(s.channel.completed.includes(waiting.messageId), 'the waiting message is left for the next start');
  t.equal(s.runner.calls.length, 1);
  t.ok(s.channel.stopped);

  const slow = await setup(t);
  await slow.channel.deliver(message());
  await slow.runner.started(1);
  await slow.handler.stop(10);
  t.equal(slow.channel.results()[0]?.reply.kind, 'interrupted');
  t.match(slow.channel.results()[0]?.reply.markdown, /interrupted because the Airut service was shut down/);
  t.equal(slow.channel.completed.length, 1);
  t.equal(slow.tracker.list()[0]?.reason, 'interrupted');
});
