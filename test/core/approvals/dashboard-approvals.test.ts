import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { writeApprovals } from '../../../src/core/approvals/index.js';
import { ConversationStore } from '../../../src/core/conversation/index.js';
import { ConversationHistory } from '../../../src/core/dashboard/history.js';
import { renderConversationPage } from '../../../src/core/dashboard/pages/conversation.js';

const approval = { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/<x>', approvedBy: 'Ada <ada@example.com>', expiresAt: '2026-12-07T02:00:00.000Z' };

void t.test('the conversation page shows the approvals in effect with their expiry, escaped', (t) => {
  const page = renderConversationPage('1.0.0', { conversationId: 'c0ffee00', repoId: 'alpha', model: 'opus', tasks: [], replies: [], approvals: [approval] });
  t.match(page, '<h2>Approvals in effect</h2>');
  t.match(page, '<code>GET pkgs.test/simple/&#60;x&#62;</code>');
  t.match(page, '<td>Ada &#60;ada@example.com&#62;</td>');
  t.match(page, '<time datetime="2026-12-07T02:00:00.000Z">2026-12-07 02:00 UTC</time>');
  const none = renderConversationPage('1.0.0', { conversationId: 'c0ffee00', repoId: 'alpha', model: 'opus', tasks: [], replies: [], approvals: [] });
  t.notMatch(none, 'Approvals in effect');
  t.end();
});

void t.test("the history reads a conversation's approvals still in effect", async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'airut-approvals-history-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const store = new ConversationStore(join(stateDir, 'alpha'));
  const { conversationId } = await store.create({ model: 'opus' });
  await writeApprovals(store.layout(conversationId).dir, { lastBlocked: [], approvals: [approval, { ...approval, pathPrefix: '/old', expiresAt: '2026-12-05T00:00:00.000Z' }] });
  const history = new ConversationHistory({ stateDir, repoIds: () => ['alpha'] });
  const stored = await history.find(conversationId, 'alpha');
  t.ok(stored);
  if (stored === undefined) return;
  t.strictSame(await history.approvals(stored, new Date('2026-12-06T02:00:00.000Z')), [approval], 'the expired one is not shown');
  t.strictSame(await history.approvals(stored, new Date('2026-12-07T02:00:00.000Z')), [], 'none at the expiry');
});
