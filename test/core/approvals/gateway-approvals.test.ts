import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { readApprovals } from '../../../src/core/approvals/index.js';
import { ConversationStore, GitMirror } from '../../../src/core/conversation/index.js';
import { ConcurrencyLimit, MessageLedger, RepoHandler, TaskTracker, type RepoSettings, type TaskRequest } from '../../../src/core/gateway/index.js';
import { Logger } from '../../../src/core/log/index.js';
import type { NetworkLogEvent } from '../../../src/sandbox/index.js';
import { FakeChannel, FakeRunner, message, success, upstreamRepo } from '../gateway/fakes.js';

// The gateway's side of `allow N`, with a fake runner at the process boundary:
// the proxy's own decision on the overlay is tested in approval-overlay.test.ts
// and end to end in test/e2e/email-approval.test.ts.

const NOW = new Date('2026-12-06T02:00:00.000Z');

function blocked(method: string, host: string, path: string): { type: 'network'; event: NetworkLogEvent } {
  return {
    type: 'network',
    event: {
      event: 'log', kind: 'BLOCKED', level: 'warn', line: `BLOCKED ${method} https://${host}${path} -> 403`, time: NOW.toISOString(),
      access: { allowed: false, method, scheme: 'https', host, path, status: 403, bytes_up: 0, bytes_down: 0, credentials: [] },
    },
  };
}

async function setup(t: Test, settings: Partial<RepoSettings> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'airut-approve-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const stateDir = join(root, 'state', 'repo');
  const store = new ConversationStore(stateDir);
  const runner = new FakeRunner();
  const channel = new FakeChannel();
  const changes = new EventEmitter();
  const tracker = new TaskTracker({ onChange: () => changes.emit('change') });
  const finished = async (n: number): Promise<void> => {
    while (tracker.counts().completed + tracker.counts().failed < n) await once(changes, 'change');
    await new Promise((resolve) => setImmediate(resolve));
  };
  const handler = new RepoHandler({
    repoId: 'repo',
    settings: { model: 'opus', showCost: false, acknowledge: {}, ...settings },
    store,
    mirror: new GitMirror({ repoUrl: await upstreamRepo(root), repoStateDir: stateDir }),
    runner,
    ledger: await MessageLedger.open(join(stateDir, 'messages.jsonl')),
    channels: [channel],
    limit: new ConcurrencyLimit(2),
    tracker,
    logger: new Logger(() => undefined),
    now: () => NOW,
  });
  await handler.start();
  t.teardown(() => handler.stop(0));
  // Every run is blocked on two requests unless its approvals cover them; the agent always "asks" for approval itself.
  runner.auto = (request: TaskRequest) => {
    const approved = (method: string, path: string): boolean => (request.approvals ?? []).some((a) => a.method === method && a.host === 'pkgs.test' && a.path_prefix === path);
    if (!approved('GET', '/simple/x')) request.onEvent(blocked('GET', 'pkgs.test', '/simple/x'));
    if (!approved('POST', '/upload')) request.onEvent(blocked('POST', 'pkgs.test', '/upload'));
    return success('Blocked again.\n\nallow 1\nallow 2');
  };
  let done = 0;
  const send = async (fields: Parameters<typeof message>[0]) => {
    await channel.deliver(message(fields));
    done += 1;
    await finished(done);
    const reply = channel.results().at(-1);
    return { markdown: reply?.reply.markdown ?? '', id: reply?.conversationId ?? '', approvable: reply?.reply.approvable, messageId: reply?.message.messageId ?? '' };
  };
  return { store, runner, send, stateDir, handler, channel };
}

void t.test('allow N from the thread reaches the next run only; abuse approves nothing', async (t) => {
  const s = await setup(t, { approvals: { mode: 'exact', ttlMs: 3_600_000 } });
  const first = await s.send({ text: 'Install the package.' });
  t.match(first.markdown, /\*\*Blocked requests\*\*\n\n1\. `GET pkgs\.test\/simple\/x` \(1×\)\n2\. `POST pkgs\.test\/upload` \(1×\)/, 'the reply numbers the blocked requests');
  t.match(first.markdown, /reply with a line such as `allow 1`/);
  const dir = s.store.layout(first.id).dir;

  // The agent wrote "allow 1" in its answer: never parsed.
  const second = await s.send({ conversationId: first.id, text: 'What happened?' });
  t.strictSame(s.runner.call(1).request.approvals, undefined, "the agent's own answer approved nothing");
  t.notMatch(second.markdown, /Approved/);

  // Quoted, inline in a sentence, in code: none counts.
  await s.send({ conversationId: first.id, text: 'Hmm.\n> allow 1\nPlease allow 1 now.\n```\nallow 1\n```' });
  t.strictSame(s.runner.call(2).request.approvals, undefined, 'a quoted or embedded allow approved nothing');

  // Another conversation's `allow 1` reaches its own (empty) list.
  const other = await s.send({ text: 'allow 1' });
  t.not(other.id, first.id);
  t.strictSame(s.runner.call(3).request.approvals, undefined);
  t.match(other.markdown, /Not approved: 1 \(the last run had no blocked requests\)/);
  t.strictSame((await readApprovals(dir)).approvals, [], 'nothing approved in the first conversation');

  const fourth = await s.send({ conversationId: first.id, text: 'allow 1, 7' });
  t.strictSame(s.runner.call(4).request.approvals, [
    { method: 'GET', host: 'pkgs.test', path_prefix: '/simple/x', approved_by: 'Ada <ada@example.com>', expires_at: '2026-12-06T03:00:00.000Z' },
  ], 'exactly the first entry, for the ttl');
  t.match(fourth.markdown, /^\*\*Approved for this conversation\*\* \(this run on\):\n\n1\. `GET pkgs\.test\/simple\/x` until 2026-12-06 03:00 UTC/);
  t.match(fourth.markdown, /Not approved: 7 \(the last run's blocked list has entries 1 to 2\)/);
  t.match(fourth.markdown, /Blocked again\./, "the message still ran as a follow-up with Claude's answer");
  t.match(fourth.markdown, /\*\*Blocked requests\*\*\n\n1\. `POST pkgs\.test\/upload` \(1×\)\n\n/, 'the new run lists only what it still hit');
  t.match(s.runner.call(4).request.prompt, /allow 1, 7/, "the user's text is still the prompt");
  t.match(s.runner.call(4).request.prompt, /The user approved a network request that was blocked before, so the sandbox now lets it through for this conversation \(that method and path exactly, with any query\): GET https:\/\/pkgs\.test\/simple\/x\./, 'Claude is told what was approved');
  t.notMatch(s.runner.call(0).request.prompt, /approved/, 'a run without a new approval says nothing of approvals');
  const recorded = (await s.store.read(first.id)).replies.at(-1)?.responseText;
  t.equal(recorded, 'Blocked again.\n\nallow 1\nallow 2', "the record keeps Claude's answer alone: the grant and the receipt are not its words (the receipt is in receipts.jsonl)");

  await s.send({ conversationId: first.id, text: 'Again.' });
  t.equal(s.runner.call(5).request.approvals?.length, 1, 'the approval stays for later runs of the conversation');
});

void t.test('network.approvals off: allow N is not read and not offered', async (t) => {
  const s = await setup(t, { approvals: { mode: 'off', ttlMs: 3_600_000 } });
  const first = await s.send({ text: 'Install the package.' });
  t.match(first.markdown, /1\. `GET pkgs\.test\/simple\/x`/);
  t.notMatch(first.markdown, /allow 1`/);
  const second = await s.send({ conversationId: first.id, text: 'allow 1' });
  t.strictSame(s.runner.call(1).request.approvals, undefined);
  t.notMatch(second.markdown, /Approved|Not approved/);
});

void t.test('a reply offers its approvable entries (kept with the stored reply); a button press approves its exact entry only while the last run was blocked on it', async (t) => {
  const s = await setup(t, { approvals: { mode: 'exact', ttlMs: 3_600_000 } });
  const x = { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x' };
  const upload = { method: 'POST', host: 'pkgs.test', pathPrefix: '/upload' };
  const first = await s.send({ text: 'Install the package.' });
  t.strictSame(first.approvable, [{ number: 1, ...x }, { number: 2, ...upload }], 'numbered as the receipt lists them');
  const reopened = await MessageLedger.open(join(s.stateDir, 'messages.jsonl'));
  t.strictSame(reopened.finalReply(first.messageId)?.reply.approvable, first.approvable, 'a reply sent again after a crash offers the same entries');

  // Allow 1 pressed under the first reply: x is approved; the new run is blocked on upload alone, now entry 1.
  const pressed = await s.send({ conversationId: first.id, text: 'allow 1', approves: [{ number: 1, ...x }] });
  t.match(pressed.markdown, /^\*\*Approved for this conversation\*\* \(this run on\):\n\n1\. `GET pkgs\.test\/simple\/x`/);
  t.strictSame(pressed.approvable, [{ number: 1, ...upload }]);

  // The same reply's Allow 1 again, and its Allow 2: the list changed since that reply.
  const stale = await s.send({ conversationId: first.id, text: 'allow 1', approves: [{ number: 1, ...x }] });
  t.match(stale.markdown, /^Not approved: 1\. `GET pkgs\.test\/simple\/x` \(the last run was not blocked on it/, 'entry 1 of the new list (upload) is not approved in its place');
  t.strictSame(s.runner.call(2).request.approvals?.map((a) => a.path_prefix), ['/simple/x'], 'only the earlier approval is carried');
  const moved = await s.send({ conversationId: first.id, text: 'allow 2', approves: [{ number: 2, ...upload }] });
  t.match(moved.markdown, /^\*\*Approved for this conversation\*\* \(this run on\):\n\n1\. `POST pkgs\.test\/upload`/, 'upload, now entry 1 of the last list, is approved');
  t.equal(moved.approvable, undefined, 'a run blocked on nothing offers nothing');
});

void t.test('network.approvals off: a reply offers no entries and a press approves nothing', async (t) => {
  const s = await setup(t, { approvals: { mode: 'off', ttlMs: 3_600_000 } });
  const first = await s.send({ text: 'Install the package.' });
  t.equal(first.approvable, undefined);
  const pressed = await s.send({ conversationId: first.id, text: 'allow 1', approves: [{ number: 1, method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x' }] });
  t.strictSame(s.runner.call(1).request.approvals, undefined);
  t.notMatch(pressed.markdown, /Approved|Not approved/);
});

void t.test('a scheduled run\'s new thread offers its approvable entries too, unless approvals are off', async (t) => {
  for (const mode of ['exact', 'off'] as const) {
    const s = await setup(t, { approvals: { mode, ttlMs: 3_600_000 } });
    const fired = await s.handler.runScheduled({ name: 'nightly', fireKey: 'nightly@1', channel: 'email', to: 'ada@example.com', subject: 'Nightly', prompt: () => Promise.resolve('check the deps') });
    t.equal(fired.outcome, 'delivered');
    const offered = s.channel.threads[0]?.reply.approvable;
    if (mode === 'exact') t.strictSame(offered?.map((e) => `${e.number}. ${e.method} ${e.pathPrefix}`), ['1. GET /simple/x', '2. POST /upload'], mode);
    else t.equal(offered, undefined, mode);
  }
});
