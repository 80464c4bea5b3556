import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ConversationStore, isConversationId, newConversationId, resumeSessionId, type ReplyRecord } from '../../../src/core/conversation/index.js';

function reply(sessionId: string, isError = false, responseText = 'ok'): ReplyRecord {
  return {
    sessionId, timestamp: '2026-01-01T00:00:00.000Z', durationMs: 1, totalCostUsd: 0.5, numTurns: 1, isError,
    usage: { input_tokens: 3 }, requestText: 'do it', responseText, messageIds: ['<m@x>'],
  };
}

t.test('ids are 8 lowercase hex characters', async (t) => {
  const ids = new Set(Array.from({ length: 200 }, () => newConversationId()));
  t.ok(ids.size > 190, 'random');
  for (const id of ids) t.ok(isConversationId(id), id);
  t.notOk(isConversationId('AB12CD34'));
  t.notOk(isConversationId('../../x'));
  t.notOk(isConversationId('ab12cd345'));
});

t.test('create reserves a fresh directory and writes conversation.json', async (t) => {
  const root = t.testdir();
  const ids = ['aaaaaaaa', 'aaaaaaaa', 'bbbbbbbb'];
  const store = new ConversationStore(root, { newId: () => ids.shift() ?? 'cccccccc' });
  const first = await store.create({ model: 'opus', effort: 'high' });
  const second = await store.create({ model: 'sonnet' });
  t.equal(first.conversationId, 'aaaaaaaa');
  t.equal(second.conversationId, 'bbbbbbbb', 'a taken id is never reused');
  const json = JSON.parse(await readFile(`${root}/conversations/aaaaaaaa/conversation.json`, 'utf8'));
  t.same(json, { conversation_id: 'aaaaaaaa', model: 'opus', effort: 'high', replies: [] });
  t.same(await store.list(), ['aaaaaaaa', 'bbbbbbbb']);
  t.notOk(await store.canResume('aaaaaaaa'), 'no workspace yet: not resumable');
});

t.test('replies round-trip; the resume session is the latest non-empty one', async (t) => {
  const store = new ConversationStore(t.testdir());
  const created = await store.create({});
  await store.update(created.conversationId, (r) => ({ ...r, pendingRequestText: 'running' }));
  t.equal((await store.read(created.conversationId)).pendingRequestText, 'running');
  await store.update(created.conversationId, (r) => {
    const { pendingRequestText: _, ...rest } = r;
    return { ...rest, replies: [...r.replies, reply('s1'), reply('s2', true), reply('')] };
  });
  const record = await store.read(created.conversationId);
  t.equal(record.pendingRequestText, undefined);
  t.equal(record.replies.length, 3);
  t.same(record.replies[0], reply('s1'));
  t.equal(resumeSessionId(record), 's2', 'failed runs still leave a session');
  const raw = JSON.parse(await readFile(store.layout(created.conversationId).metadataFile, 'utf8'));
  t.equal(raw.replies[0].session_id, 's1', 'snake_case on disk');
  t.equal(raw.replies[0].total_cost_usd, 0.5);
});

t.test('a damaged conversation.json reads as an empty history', async (t) => {
  const store = new ConversationStore(t.testdir());
  const { conversationId: id } = await store.create({});
  await writeFile(store.layout(id).metadataFile, '{"conversation_id": "ab');
  t.same(await store.read(id), { conversationId: id, replies: [] });
  await writeFile(store.layout(id).metadataFile, JSON.stringify({ conversation_id: 'ffffffff', replies: [] }));
  t.same(await store.read(id), { conversationId: id, replies: [] }, 'a record of another id is not trusted');
});

t.test('malformed ids are refused before they become paths', async (t) => {
  const store = new ConversationStore(t.testdir());
  t.throws(() => store.layout('../etc'), { code: 'CONVERSATION_ID_INVALID' });
  t.notOk(await store.canResume('../etc'));
});

t.test('run directories; only id-named directories are listed', async (t) => {
  const root = t.testdir({ conversations: { 'not-an-id': {}, 'abcdef01.txt': 'x' } });
  const store = new ConversationStore(root, { newId: () => '12345678' });
  await store.create({});
  const layout = await store.prepareRunDirectories('12345678');
  for (const dir of ['claude', 'inbox', 'outbox', 'storage']) t.ok(layout[dir as 'claude'].endsWith(`/12345678/${dir}`));
  await mkdir(layout.workspace);
  t.notOk(await store.canResume('12345678'), 'a workspace without its completion marker is not resumable');
  await writeFile(layout.workspaceMarker, 'done');
  t.ok(await store.canResume('12345678'));
  await mkdir(join(layout.dir, '.workspace.0a1b2c3d.tmp', '.git'), { recursive: true });
  await mkdir(join(layout.dir, '.workspace-not-ours'));
  t.equal(await store.removeWorkspaceLeftovers(), 1, 'a temporary clone a crash left is removed');
  t.same((await readdir(layout.dir)).sort(), ['.workspace-not-ours', 'claude', 'conversation.json', 'inbox', 'outbox', 'storage', 'workspace', 'workspace.complete']);
  t.same(await store.list(), ['12345678']);
});

t.test('removeExpired deletes by workspace age and keeps busy conversations', async (t) => {
  const now = new Date('2026-06-10T00:00:00Z');
  const ids = ['00000001', '00000002', '00000003'];
  const store = new ConversationStore(t.testdir(), { newId: () => ids.shift() ?? 'ffffffff', clock: () => now });
  for (let i = 0; i < 3; i++) {
    const { conversationId: id } = await store.create({});
    await mkdir(store.layout(id).workspace);
  }
  const old = new Date('2026-06-01T00:00:00Z');
  await utimes(store.layout('00000001').workspace, old, old);
  await utimes(store.layout('00000002').workspace, old, old);
  const removed = await store.removeExpired(7, new Set(['00000002']));
  t.same(removed.map((r) => r.id), ['00000001']);
  t.equal(Math.round(removed[0]?.ageDays ?? 0), 9);
  t.same(await store.list(), ['00000002', '00000003']);
});
