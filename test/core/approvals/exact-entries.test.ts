import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  approvableEntries, approvalsForRun, grantApprovals, grantText, readApprovals, recordLastBlocked, type ApprovalSettings,
} from '../../../src/core/approvals/index.js';

// A press of a Slack "Allow N" button names the exact request that reply
// listed; a newer run may have replaced the conversation's blocked list since.
// The rule: granted only when the last blocked list holds that very request.

const exact: ApprovalSettings = { mode: 'exact', ttlMs: 3_600_000 };
const t0 = new Date('2026-12-06T02:00:00.000Z');
const x = { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x' };
const upload = { method: 'POST', host: 'pkgs.test', pathPrefix: '/upload' };

async function withLastRun(t: Test, blocked: { method: string; host: string; pathPrefix: string }[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-exact-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await recordLastBlocked(dir, blocked.map((b) => ({ ...b, count: 1 })), t0);
  return dir;
}

void t.test('an exact entry the last run was blocked on is granted at its number in that list', async (t) => {
  // The reply showed x as entry 1; the newer run put upload first.
  const dir = await withLastRun(t, [upload, x]);
  const outcome = await grantApprovals(dir, [{ sender: 'Ada <UADA>', text: 'allow 1', entries: [{ number: 1, ...x }] }], exact, t0);
  t.strictSame(outcome.approved, [{ number: 2, approval: { ...x, approvedBy: 'Ada <UADA>', expiresAt: '2026-12-06T03:00:00.000Z' } }], 'x is approved, not entry 1 of the new list');
  t.strictSame(outcome.notBlocked, []);
  t.strictSame((await readApprovals(dir)).approvals.map((a) => `${a.method} ${a.pathPrefix}`), ['GET /simple/x'], 'only x is stored');
  t.match(grantText(outcome), /Approved for this conversation[\s\S]*2\. `GET pkgs\.test\/simple\/x`/);
});

void t.test('an exact entry the last run was not blocked on approves nothing, and the reply says so', async (t) => {
  const dir = await withLastRun(t, [upload]);
  const before = await readFile(join(dir, 'approvals.json'), 'utf8');
  const outcome = await grantApprovals(dir, [{ sender: 'Ada <UADA>', text: 'allow 1', entries: [{ number: 1, ...x }] }], exact, t0);
  t.equal(outcome.asked, true);
  t.strictSame(outcome.approved, [], 'entry 1 of the new list (upload) is not approved in its place');
  t.strictSame(outcome.notBlocked, [{ number: 1, ...x }]);
  t.equal(await readFile(join(dir, 'approvals.json'), 'utf8'), before, 'nothing written');
  t.match(grantText(outcome), /^Not approved: 1\. `GET pkgs\.test\/simple\/x` \(the last run was not blocked on it/);
});

void t.test('a forged entry differing in method, host or path only is not granted', async (t) => {
  const dir = await withLastRun(t, [x]);
  const forged = [{ number: 1, ...x, method: 'POST' }, { number: 1, ...x, host: 'evil.test' }, { number: 1, ...x, pathPrefix: '/simple/x/' }];
  const outcome = await grantApprovals(dir, [{ sender: 'Ada <UADA>', text: 'allow 1', entries: forged }], exact, t0);
  t.strictSame(outcome.approved, []);
  t.equal(outcome.notBlocked.length, 3);
  t.strictSame((await readApprovals(dir)).approvals, []);
});

void t.test('with approvals off an exact entry does nothing', async (t) => {
  const dir = await withLastRun(t, [x]);
  const request = { sender: 'Ada <UADA>', text: 'allow 1', entries: [{ number: 1, ...x }] };
  t.equal((await grantApprovals(dir, [request], { ...exact, mode: 'off' }, t0)).asked, false);
  const run = await approvalsForRun(dir, [request], { ...exact, mode: 'off' }, t0);
  t.strictSame(run.inEffect, []);
  t.strictSame((await readApprovals(dir)).approvals, []);
});

void t.test('the entries a reply offers: numbered as the receipt, none the proxy would refuse, none with approvals off', async (t) => {
  const blocked = [{ ...x, count: 1 }, { method: 'CONNECT', host: 'pkgs.test', pathPrefix: '/', count: 1 }, { ...upload, count: 2 }];
  t.strictSame(approvableEntries(blocked, exact), [{ number: 1, ...x }, { number: 3, ...upload }]);
  t.strictSame(approvableEntries(blocked, { ...exact, mode: 'off' }), []);
});
