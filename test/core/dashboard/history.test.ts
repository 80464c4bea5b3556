import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { serializeConversation, type ConversationRecord, type ReplyRecord } from '../../../src/core/conversation/index.js';
import { ConversationHistory } from '../../../src/core/dashboard/history.js';
import { alignEvents, alignNetworkLog, parsePastTaskId, pastTaskId, promptFacts, replyReason } from '../../../src/core/gateway/history-views.js';
import { buildPrompt, gatewaySource, interruptedText, stoppedText, TaskTracker, timeoutText } from '../../../src/core/gateway/index.js';
import { parseStreamJsonLine, type ClaudeEvent } from '../../../src/sandbox/claude/stream/index.js';

const SESSION_A = 'aaaaaaaa-0000-0000-0000-000000000001';
const SESSION_B = 'bbbbbbbb-0000-0000-0000-000000000002';

function prompt(sender: string, text: string, subject?: string): string {
  return buildPrompt({ channel: 'email', savedAttachments: [], ...(subject === undefined ? {} : { subject }) }, [{ sender, receivedAt: new Date('2026-03-04T05:06:07Z'), text }]);
}

function reply(fields: Partial<ReplyRecord>): ReplyRecord {
  return {
    sessionId: SESSION_A, timestamp: '2026-03-04T05:07:00.000Z', durationMs: 30_000, totalCostUsd: 0.02, numTurns: 2, isError: false,
    usage: { input_tokens: 11, output_tokens: 5 }, requestText: prompt('Ada <ada@corp.test>', 'Fix the build'), responseText: 'Fixed.', messageIds: ['<m1@x>'], ...fields,
  };
}

function line(event: object): string {
  return JSON.stringify(event);
}

function events(session: string, text: string): string[] {
  return [
    line({ type: 'system', subtype: 'init', session_id: session }),
    line({ type: 'assistant', message: { content: [{ type: 'text', text }] }, session_id: session }),
    line({ type: 'result', subtype: 'success', is_error: false, result: text, session_id: session }),
  ];
}

function parsed(lines: string[]): ClaudeEvent[] {
  return lines.flatMap((l) => parseStreamJsonLine(l) ?? []);
}

async function writeConversation(stateDir: string, repoId: string, record: ConversationRecord, files: { events?: string; network?: string; mtime?: Date } = {}): Promise<void> {
  const dir = join(stateDir, repoId, 'conversations', record.conversationId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'conversation.json'), serializeConversation(record));
  if (files.events !== undefined) await writeFile(join(dir, 'events.jsonl'), files.events);
  if (files.network !== undefined) await writeFile(join(dir, 'network-sandbox.log'), files.network);
  if (files.mtime !== undefined) await utimes(join(dir, 'conversation.json'), files.mtime, files.mtime);
}

async function stateDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-history-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

t.test('the prompt a reply recorded gives back sender, time, subject and first line', async (t) => {
  const facts = promptFacts(prompt('Ada <ada@corp.test>', '\n  Please fix the build.\nThanks', 'Build broken'));
  t.same(facts, { sender: 'Ada <ada@corp.test>', receivedAt: new Date('2026-03-04T05:06:07Z'), subject: 'Build broken', firstLine: 'Please fix the build.' });
  t.equal(promptFacts(prompt('a@b', 'Subject: not a subject line of the prompt')).subject, undefined, 'a "Subject:" inside the message is not the subject');
  t.same(promptFacts(''), { sender: undefined, receivedAt: undefined, subject: undefined, firstLine: undefined });
});

t.test('past task ids are 16 hex characters and read back', async (t) => {
  t.equal(pastTaskId('c0ffee00', 10), 'c0ffee000000000a');
  t.same(parsePastTaskId('c0ffee000000000a'), { conversationId: 'c0ffee00', index: 10 });
  t.equal(parsePastTaskId('c0ffee000000'), undefined, 'a live task id is not a past one');
});

t.test('the reason of a recorded reply', async (t) => {
  t.equal(replyReason(reply({})), 'success');
  t.equal(replyReason(reply({ isError: true, responseText: stoppedText(true) })), 'stopped');
  t.equal(replyReason(reply({ isError: true, responseText: stoppedText(false) })), 'stopped');
  t.equal(replyReason(reply({ isError: true, responseText: interruptedText() })), 'interrupted');
  t.equal(replyReason(reply({ isError: true, responseText: timeoutText(60) })), 'timeout');
  t.equal(replyReason(reply({ isError: true, responseText: 'An error occurred while processing your message.' })), 'execution_failed');
});

t.test('runs of events.jsonl are matched to replies by session, skipping retried attempts and runs without events', async (t) => {
  const runs = [parsed(events(SESSION_A, 'one')), parsed(events(SESSION_A, 'too long')), parsed(events(SESSION_B, 'fresh')), parsed(events(SESSION_B, 'three'))];
  const aligned = alignEvents([
    reply({ sessionId: SESSION_A }),
    reply({ sessionId: '' }),
    reply({ sessionId: SESSION_B }),
    reply({ sessionId: SESSION_B }),
  ], runs);
  t.same(aligned.map((r) => r.filter((e) => e.type === 'assistant').map((e) => e.type === 'assistant' && e.content[0]?.type === 'text' ? e.content[0].text : '')),
    [['one'], [], ['too long', 'fresh'], ['three']], 'the failed attempt before the fresh-session retry goes with the retried reply');
  t.same(alignEvents([reply({ sessionId: 'unknown' })], runs).map((r) => r.length), [3], 'an unmatched session falls back to the next run');
  t.same(alignEvents([reply({})], []), [[]]);
});

t.test('the network log is split at task starts and each part goes to the next reply recorded', async (t) => {
  const log = [
    '=== TASK START 2026-03-04T05:06:30Z ===', 'ALLOWED GET https://api.anthropic.com/v1/messages -> 200',
    '=== TASK START 2026-03-04T06:00:00Z ===', 'BLOCKED GET https://evil.test/ -> 403', 'DNS A evil.test -> 10.0.0.2',
    'WARNING: clock skew of 612 s between the task and the proxy', '',
  ].join('\n');
  const parts = alignNetworkLog([reply({ timestamp: '2026-03-04T05:07:00.000Z' }), reply({ timestamp: '2026-03-04T06:01:00.000Z' })], log);
  t.same(parts[0]?.map((l) => l.kind), ['TASK_START', 'ALLOWED']);
  t.same(parts[1]?.map((l) => l.kind), ['TASK_START', 'BLOCKED', 'DNS', 'WARNING']);
  t.equal(parts[1]?.[1]?.line, 'BLOCKED GET https://evil.test/ -> 403');
});

t.test('recent conversations: newest first by mtime, bounded, across repos; find by id', async (t) => {
  const dir = await stateDir(t);
  await writeConversation(dir, 'alpha', { conversationId: 'aaaa0001', replies: [reply({})] }, { mtime: new Date('2026-03-01T00:00:00Z') });
  await writeConversation(dir, 'alpha', { conversationId: 'aaaa0002', replies: [reply({})] }, { mtime: new Date('2026-03-03T00:00:00Z') });
  await writeConversation(dir, 'beta', { conversationId: 'bbbb0001', replies: [] }, { mtime: new Date('2026-03-02T00:00:00Z') });
  await writeConversation(dir, 'gone', { conversationId: 'cccc0001', replies: [] });
  await mkdir(join(dir, 'alpha', 'conversations', 'not-an-id'), { recursive: true });
  await mkdir(join(dir, 'alpha', 'conversations', 'dddd0001'), { recursive: true });
  await writeFile(join(dir, 'alpha', 'conversations', 'dddd0001', 'conversation.json'), '{ damaged');

  const history = new ConversationHistory({ stateDir: dir, repoIds: () => ['alpha', 'beta', 'missing'], recentLimit: 2 });
  t.same((await history.recent()).map((c) => `${c.repoId}/${c.conversationId}`), ['alpha/aaaa0002', 'beta/bbbb0001'], 'two newest; unconfigured repos and damaged files left out');
  t.equal((await history.find('bbbb0001'))?.repoId, 'beta');
  t.equal(await history.find('bbbb0001', 'alpha'), undefined);
  t.equal(await history.find('cccc0001'), undefined, 'a repo no longer configured is not read');
  t.equal(await history.find('../../etc'), undefined);
  const unbounded = new ConversationHistory({ stateDir: dir, repoIds: () => ['alpha', 'beta'] });
  t.equal((await unbounded.recent()).length, 3);
});

t.test('a large network log is read from its end, starting at a whole line', async (t) => {
  const dir = await stateDir(t);
  const lines = Array.from({ length: 200 }, (_, i) => `ALLOWED GET https://h.test/${i} -> 200`);
  await writeConversation(dir, 'alpha', { conversationId: 'aaaa0001', replies: [reply({})] }, { network: `${lines.join('\n')}\n` });
  const history = new ConversationHistory({ stateDir: dir, repoIds: () => ['alpha'], maxNetworkLogBytes: 500 });
  const stored = await history.find('aaaa0001');
  const text = await history.networkLog(stored as NonNullable<typeof stored>);
  t.ok(text.length <= 500);
  t.match(text, /^ALLOWED GET /);
  t.match(text, /\/199 -> 200\n$/);
});

t.test('the gateway source lists past tasks, their recorded runs and conversations, without repeating live tasks', async (t) => {
  const dir = await stateDir(t);
  const record: ConversationRecord = {
    conversationId: 'c0ffee00', model: 'sonnet',
    replies: [
      reply({ requestText: prompt('Ada <ada@corp.test>', 'Fix the build', 'Build broken'), messageIds: ['<m1@x>'], responseText: 'Fixed.' }),
      reply({ timestamp: '2026-03-04T06:01:00.000Z', requestText: prompt('Ada <ada@corp.test>', 'Now the docs'), messageIds: ['<m2@x>'], isError: true, responseText: stoppedText(true), totalCostUsd: 0.01 }),
    ],
  };
  await writeConversation(dir, 'alpha', record, {
    events: `${events(SESSION_A, 'first run').join('\n')}\n\n${events(SESSION_A, 'second run').join('\n')}\n`,
    network: '=== TASK START 2026-03-04T05:06:30Z ===\nALLOWED GET https://a.test/ -> 200\n=== TASK START 2026-03-04T06:00:00Z ===\nBLOCKED GET https://b.test/ -> 403\n',
  });
  const tracker = new TaskTracker();
  const history = new ConversationHistory({ stateDir: dir, repoIds: () => ['alpha'] });
  const { source } = gatewaySource({ version: '1', tracker, config: () => ({ path: '/x', exists: true, hash: '' }), repos: () => [], history });

  const past = await source.pastTasks?.() ?? [];
  t.same(past.map((task) => [task.taskId, task.state, task.reason, task.title, task.sender]), [
    ['c0ffee0000000001', 'failed', 'stopped', 'Re: Build broken', 'Ada <ada@corp.test>'],
    ['c0ffee0000000000', 'completed', 'success', 'Build broken', 'Ada <ada@corp.test>'],
  ], 'newest first, titled by the conversation subject');
  t.equal(past[1]?.queuedAt, '2026-03-04T05:06:07.000Z', 'queued when the message was received');

  const first = await source.taskRecord?.('c0ffee0000000000');
  t.match(first?.reply, { responseText: 'Fixed.', costUsd: 0.02, numTurns: 2, usage: { input_tokens: 11 } });
  t.same(first?.network.map((l) => l.kind), ['TASK_START', 'ALLOWED']);
  t.match(first?.events, [{ type: 'system' }, { type: 'assistant', content: [{ type: 'text', text: 'first run' }] }, { type: 'result' }]);
  t.notOk(JSON.stringify(first?.events).includes('"raw"'), 'events go out without their raw line');
  t.match((await source.taskRecord?.('c0ffee0000000001'))?.network, [{ kind: 'TASK_START' }, { kind: 'BLOCKED' }]);
  t.equal(await source.taskRecord?.('c0ffee0000000009'), undefined);
  t.equal(await source.taskRecord?.('abcdabcd00000000'), undefined);
  t.equal(await source.stopTask('c0ffee0000000000'), 'not_running', 'a past task exists but cannot be stopped');

  // A task of this run that answered <m2@x> stands for the second reply: it is not listed twice.
  const liveId = tracker.add({ repoId: 'alpha', conversationId: 'c0ffee00', title: 'Re: Build broken', sender: 'Ada', messageId: '<m2@x>' });
  tracker.start(liveId, 'c0ffee00');
  t.same((await source.pastTasks?.())?.map((task) => task.taskId), ['c0ffee0000000000']);
  t.match(await source.taskRecord?.(liveId), { task: { taskId: liveId, state: 'running' }, reply: undefined, events: [] }, 'a running task has no recorded run yet');
  tracker.finish(liveId, 'stopped');
  t.match(await source.taskRecord?.(liveId), { task: { taskId: liveId, reason: 'stopped' }, reply: { responseText: stoppedText(true) } });

  const conversation = await source.conversation?.('c0ffee00');
  t.match(conversation, { conversationId: 'c0ffee00', repoId: 'alpha', model: 'sonnet' });
  t.same(conversation?.tasks.map((task) => task.taskId).sort(), ['c0ffee0000000000', liveId].sort());
  t.same(conversation?.replies.map((r) => r.taskId), ['c0ffee0000000000', liveId], 'each reply links the task that produced it');
  t.equal(await source.conversation?.('deadbeef'), undefined);
});
