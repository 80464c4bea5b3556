import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { serializeConversation, type ReplyRecord } from '../../../src/core/conversation/index.js';
import { ConversationHistory } from '../../../src/core/dashboard/history.js';
import { startDashboard } from '../../../src/core/dashboard/index.js';
import { renderConversationPage } from '../../../src/core/dashboard/pages/conversation.js';
import { renderTaskPage } from '../../../src/core/dashboard/pages/task.js';
import { buildPrompt, gatewaySource, TaskTracker } from '../../../src/core/gateway/index.js';

function reply(fields: Partial<ReplyRecord>): ReplyRecord {
  return {
    sessionId: 's-1', timestamp: '2026-03-04T05:07:00.000Z', durationMs: 12_300, totalCostUsd: 0.0123, numTurns: 3, isError: false,
    usage: { input_tokens: 100, output_tokens: 20 },
    requestText: buildPrompt({ channel: 'email', savedAttachments: [], subject: 'Fix <b>it</b>' }, [{ sender: 'Ada <ada@corp.test>', receivedAt: new Date('2026-03-04T05:06:07Z'), text: 'Please.' }]),
    responseText: 'Done <script>alert(1)</script>', messageIds: ['<m1@x>'], ...fields,
  };
}

async function serve(t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'airut-convpage-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const conversationDir = join(dir, 'alpha', 'conversations', 'c0ffee00');
  await mkdir(conversationDir, { recursive: true });
  await writeFile(join(conversationDir, 'conversation.json'), serializeConversation({ conversationId: 'c0ffee00', model: 'opus', replies: [reply({})] }));
  const tracker = new TaskTracker();
  const feed = gatewaySource({
    version: '1.0.0', tracker, config: () => ({ path: '/x/airut.yaml', exists: true, hash: '' }), repos: () => [{ id: 'alpha', state: 'running', channels: [], rejected: [] }],
    history: new ConversationHistory({ stateDir: dir, repoIds: () => ['alpha'] }),
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source: feed.source });
  t.teardown(() => dashboard.close());
  return { url: dashboard.url, tracker };
}

t.test('conversation page: totals, tasks linked, replies escaped; task pages link back', async (t) => {
  const page = renderConversationPage('1.0.0', {
    conversationId: 'c0ffee00', repoId: 'alpha', model: 'opus',
    tasks: [{ taskId: 'c0ffee0000000000', repoId: 'alpha', conversationId: 'c0ffee00', title: 'Fix <b>it</b>', sender: 'Ada', state: 'completed', reason: 'success', queuedAt: '2026-03-04T05:06:07.000Z', startedAt: undefined, finishedAt: undefined }],
    replies: [{ taskId: 'c0ffee0000000000', timestamp: '2026-03-04T05:07:00.000Z', durationMs: 12_300, costUsd: 0.0123, numTurns: 3, isError: false, usage: { input_tokens: 100, output_tokens: 20 }, sessionId: 's-1', requestText: 'req', responseText: 'Done <script>alert(1)</script>' }],
  });
  t.match(page, '<a href="/tasks/c0ffee0000000000">c0ffee0000000000</a>');
  t.match(page, 'Fix &#60;b&#62;it&#60;/b&#62;');
  t.match(page, 'Done &#60;script&#62;alert(1)&#60;/script&#62;');
  t.notMatch(page, '<script>alert');
  t.match(page, '12.3 s · 3 turns · 100 in / 20 out · $0.0123');
  t.match(page, /<dt>Total cost<\/dt><dd>\$0\.0123<\/dd>/);

  const task = renderTaskPage('1.0.0', { taskId: 'abcdefabcdef', repoId: 'alpha', conversationId: 'c0ffee00', title: 'x', sender: 'y', state: 'running', reason: undefined, queuedAt: '', startedAt: undefined, finishedAt: undefined });
  t.match(task, '<a id="conversation-link" href="/conversations/c0ffee00">c0ffee00</a>');
  t.match(task, 'data-source="live"');
  t.notMatch(task, /id="stop-task"[^>]*disabled/, 'Stop is enabled while the task is live');
  const done = renderTaskPage('1.0.0', { taskId: 'abcdefabcdef', repoId: 'alpha', conversationId: undefined, title: 'x', sender: 'y', state: 'failed', reason: 'stopped', queuedAt: '', startedAt: undefined, finishedAt: undefined });
  t.match(done, 'data-source="record"');
  t.match(done, /id="stop-task"[^>]*disabled/);
});

t.test('over HTTP: conversation page and API, the old link redirects, past tasks have pages, unknown ids are 404', async (t) => {
  const { url, tracker } = await serve(t);
  const page = await fetch(`${url}/conversations/c0ffee00`);
  t.equal(page.status, 200);
  t.match(page.headers.get('content-security-policy'), /default-src 'none'/);
  const body = await page.text();
  t.match(body, 'href="/tasks/c0ffee0000000000"');
  t.match(body, 'Done &#60;script&#62;');

  const redirect = await fetch(`${url}/conversation/c0ffee00`, { redirect: 'manual' });
  t.equal(redirect.status, 301);
  t.equal(redirect.headers.get('location'), '/conversations/c0ffee00');

  const api = await fetch(`${url}/api/conversations/c0ffee00`);
  t.match(await api.json(), { conversationId: 'c0ffee00', repoId: 'alpha', model: 'opus', tasks: [{ taskId: 'c0ffee0000000000', title: 'Fix <b>it</b>', sender: 'Ada <ada@corp.test>' }], replies: [{ responseText: 'Done <script>alert(1)</script>' }] });
  for (const path of ['/conversations/deadbeef', '/api/conversations/deadbeef', '/conversations/..%2F..%2Fetc', '/api/tasks/deadbeef00000000/record']) {
    const missing = await fetch(`${url}${path}`);
    t.equal(missing.status, 404, path);
  }

  const taskPage = await (await fetch(`${url}/tasks/c0ffee0000000000`)).text();
  t.match(taskPage, 'data-source="record"');
  t.match(taskPage, 'href="/conversations/c0ffee00"');
  t.match(await (await fetch(`${url}/api/tasks/c0ffee0000000000`)).json(), { taskId: 'c0ffee0000000000', state: 'completed' });
  t.match(await (await fetch(`${url}/api/tasks/c0ffee0000000000/record`)).json(), { reply: { numTurns: 3 }, events: [], network: [] });

  const overview = await (await fetch(`${url}/`)).text();
  t.match(overview, 'data-task-id="c0ffee0000000000"', 'the overview lists the task of an earlier run');
  const live = tracker.add({ repoId: 'alpha', conversationId: undefined, title: 'New', sender: 'Bob', messageId: '<m9@x>' });
  const withLive = await (await fetch(`${url}/`)).text();
  t.ok(withLive.indexOf(`data-task-id="${live}"`) < withLive.indexOf('data-task-id="c0ffee0000000000"'), 'this run\'s tasks come first');
});
