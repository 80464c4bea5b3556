import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { readApprovals, recordLastBlocked, revokeApproval, writeApprovals } from '../../../src/core/approvals/index.js';

// Revoking ends exactly one approval of a conversation, and a revocation
// that races the blocked list a run records at its end is not undone by it.

const NOW = new Date('2026-12-06T02:00:00.000Z');
const approval = (pathPrefix: string) => ({ method: 'GET', host: 'pkgs.test', pathPrefix, approvedBy: 'Ada <ada@example.com>', expiresAt: '2026-12-07T02:00:00.000Z' });

async function conversationDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-revoke-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

void t.test('revoking ends exactly that method, host and path; another or an unknown one changes nothing', async (t) => {
  const dir = await conversationDir(t);
  await writeApprovals(dir, { lastBlocked: [], approvals: [approval('/simple/x'), approval('/simple/y')] });
  t.equal(await revokeApproval(dir, { method: 'POST', host: 'pkgs.test', pathPrefix: '/simple/x' }, NOW), false, 'another method');
  t.equal(await revokeApproval(dir, { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x/' }, NOW), false, 'another path');
  t.equal(await revokeApproval(dir, { method: 'get', host: 'PKGS.test', pathPrefix: '/simple/x' }, NOW), true, 'method and host compared as stored');
  t.strictSame((await readApprovals(dir)).approvals, [approval('/simple/y')]);
  t.equal(await revokeApproval(dir, { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x' }, NOW), false, 'already revoked');
  t.equal(await revokeApproval(await conversationDir(t), { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/y' }, NOW), false, 'a conversation without approvals');
});

void t.test('a revocation at the same time as a run records its blocked list stays revoked', async (t) => {
  const dir = await conversationDir(t);
  for (let round = 0; round < 20; round++) {
    await writeApprovals(dir, { lastBlocked: [], approvals: [approval('/simple/x')] });
    const [revoked] = await Promise.all([
      revokeApproval(dir, { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x' }, NOW),
      recordLastBlocked(dir, [{ method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/z', count: 1 }], NOW),
    ]);
    t.equal(revoked, true);
    const state = await readApprovals(dir);
    if (state.approvals.length !== 0) {
      t.fail(`round ${round}: the revoked approval came back`);
      return;
    }
    t.equal(state.lastBlocked.length, 1, `round ${round}: the blocked list was recorded too`);
  }
});
