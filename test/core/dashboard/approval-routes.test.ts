import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readApprovals, writeApprovals } from '../../../src/core/approvals/index.js';
import { ConversationStore } from '../../../src/core/conversation/index.js';
import { ConversationHistory, startDashboard } from '../../../src/core/dashboard/index.js';
import { gatewaySource, TaskTracker } from '../../../src/core/gateway/index.js';
import { Logger, type LogRecord } from '../../../src/core/log/index.js';

// Revoking an approval on the dashboard: a same-origin POST ends exactly that
// approval in the conversation's approvals.json and is logged; other methods,
// cross-site requests, bad bodies and unknown conversations or approvals
// change nothing and are named.

const approval = (pathPrefix: string) => ({ method: 'GET', host: 'pkgs.test', pathPrefix, approvedBy: 'Ada <ada@example.com>', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });

t.test('POST /api/conversations/<id>/approvals/revoke', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'airut-revoke-route-'));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  const store = new ConversationStore(join(stateDir, 'alpha'));
  const { conversationId } = await store.create({ model: 'opus' });
  const dir = store.layout(conversationId).dir;
  await writeApprovals(dir, { lastBlocked: [], approvals: [approval('/simple/x'), approval('/simple/y')] });
  const logs: LogRecord[] = [];
  const { source } = gatewaySource({
    version: '1', tracker: new TaskTracker({}), repos: () => [], config: () => ({ path: '/c', exists: false, hash: '' }),
    history: new ConversationHistory({ stateDir, repoIds: () => ['alpha'] }),
    logger: new Logger((r) => logs.push(r)),
  });
  const dashboard = await startDashboard({ host: '127.0.0.1', port: 0, source });
  t.teardown(() => dashboard.close());
  const { url } = dashboard;
  const path = `/api/conversations/${conversationId}/approvals/revoke`;
  const same = { 'X-Airut-Request': '1', Origin: url, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' };
  const post = (to: string, body: unknown, headers: Record<string, string> = same): Promise<Response> =>
    fetch(`${url}${to}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const x = { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x' };
  const kept = async (): Promise<string[]> => (await readApprovals(dir)).approvals.map((a) => a.pathPrefix);

  t.equal((await fetch(`${url}${path}`)).status, 405, 'GET does not revoke');
  t.equal((await post(path, x, { 'Content-Type': 'application/json' })).status, 403, 'no custom header');
  const crossSite = await post(path, x, { 'X-Airut-Request': '1', Origin: 'http://evil.example' });
  t.equal(crossSite.status, 403, 'another origin');
  t.match(await crossSite.json(), { error: 'csrf' });
  const bad = await post(path, { ...x, pathPrefix: 7 });
  t.equal(bad.status, 400);
  t.match(await bad.json(), { error: 'bad_request', message: /"pathPrefix" must be a non-empty string, got 7/ });
  t.same(await kept(), ['/simple/x', '/simple/y'], 'refused requests changed nothing');

  const unknownConversation = await post('/api/conversations/ffffffff/approvals/revoke', x);
  t.equal(unknownConversation.status, 404);
  t.match(await unknownConversation.json(), { error: 'conversation_not_found', message: /"ffffffff"/ });
  const unknownApproval = await post(path, { ...x, method: 'POST' });
  t.equal(unknownApproval.status, 404);
  t.match(await unknownApproval.json(), { error: 'approval_not_found', message: /no approval of POST pkgs\.test\/simple\/x in effect/ });

  const ok = await post(path, x);
  t.equal(ok.status, 200);
  t.same(await ok.json(), { conversationId, ...x, result: 'revoked' });
  t.same(await kept(), ['/simple/y'], 'exactly that approval ended');
  t.match(logs.find((r) => r.message === 'approval revoked on the dashboard'), { level: 'info', fields: { conversation: conversationId, request: 'GET pkgs.test/simple/x' } });
  t.equal((await post(path, x)).status, 404, 'a second revoke finds nothing');
});
