import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  approvalDocuments, approvalsForRun, approvalsInEffect, grantApprovals, parseApprovalTtl, readApprovals, recordLastBlocked,
  type ApprovalSettings,
} from '../../../src/core/approvals/index.js';

const HOUR = 3_600_000;
const exact: ApprovalSettings = { mode: 'exact', ttlMs: 24 * HOUR };
const t0 = new Date('2026-12-06T02:00:00.000Z');
const later = (ms: number): Date => new Date(t0.getTime() + ms);

async function conversationDir(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-approvals-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// The last run's blocked list as the receipt collector numbers it (tested in test/core/receipt/).
const lastRun = [
  { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', count: 2 },
  { method: 'POST', host: 'pkgs.test', pathPrefix: '/upload', count: 1 },
];

async function withLastRun(t: Test): Promise<string> {
  const dir = await conversationDir(t);
  await recordLastBlocked(dir, lastRun, t0);
  return dir;
}

void t.test('allow N approves the N-th entry of the last run for the ttl, by the sender', async (t) => {
  const dir = await withLastRun(t);
  const outcome = await grantApprovals(dir, [{ sender: 'ada@example.com', text: 'Go on.\n\nallow 1' }], exact, t0);
  t.strictSame(outcome.approved, [{ number: 1, approval: { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', approvedBy: 'ada@example.com', expiresAt: '2026-12-07T02:00:00.000Z' } }]);
  t.strictSame(outcome.outOfRange, []);
  const stored = await readApprovals(dir);
  t.equal(stored.approvals.length, 1);
  t.strictSame(approvalDocuments(stored.approvals), [{ method: 'GET', host: 'pkgs.test', path_prefix: '/simple/x', approved_by: 'ada@example.com', expires_at: '2026-12-07T02:00:00.000Z' }]);
  t.strictSame((await readdir(dir)).filter((name) => name.endsWith('.tmp')), [], 'no temp file left by the atomic write');
});

void t.test('out-of-range numbers approve nothing and are reported', async (t) => {
  const dir = await withLastRun(t);
  const outcome = await grantApprovals(dir, [{ sender: 'ada@example.com', text: 'allow 0 3 2' }], exact, t0);
  t.strictSame(outcome.outOfRange, [0, 3]);
  t.strictSame(outcome.approved.map((a) => a.number), [2]);
  t.equal(outcome.listLength, 2);
  t.strictSame((await readApprovals(dir)).approvals.map((a) => a.method), ['POST']);
});

void t.test('a message without the command, or with approvals off, approves nothing and writes nothing', async (t) => {
  const dir = await withLastRun(t);
  const before = await readFile(join(dir, 'approvals.json'), 'utf8');
  t.equal((await grantApprovals(dir, [{ sender: 'a@b.c', text: 'please allow 1 and retry\n> allow 1' }], exact, t0)).asked, false);
  t.equal((await grantApprovals(dir, [{ sender: 'a@b.c', text: 'allow 1' }], { ...exact, mode: 'off' }, t0)).asked, false);
  t.equal(await readFile(join(dir, 'approvals.json'), 'utf8'), before);
  const off = await approvalsForRun(dir, [{ sender: 'a@b.c', text: 'allow 1' }], { ...exact, mode: 'off' }, t0);
  t.strictSame(off.inEffect, []);
});

void t.test('another conversation has its own list: the same words there reach nothing here', async (t) => {
  const dir = await withLastRun(t);
  const other = await conversationDir(t);
  const outcome = await grantApprovals(other, [{ sender: 'ada@example.com', text: 'allow 1' }], exact, t0);
  t.strictSame(outcome.outOfRange, [1]);
  t.equal(outcome.listLength, 0);
  t.strictSame((await readApprovals(dir)).approvals, []);
  t.strictSame((await readApprovals(other)).approvals, []);
});

void t.test('approvals expire after the ttl; a renewal extends them; expired ones are dropped on the next write', async (t) => {
  const dir = await withLastRun(t);
  await grantApprovals(dir, [{ sender: 'ada@example.com', text: 'allow 1' }], exact, t0);
  t.equal((await approvalsForRun(dir, [], exact, later(24 * HOUR - 1))).inEffect.length, 1, 'in effect just before the ttl');
  t.equal((await approvalsForRun(dir, [], exact, later(24 * HOUR))).inEffect.length, 0, 'ended at the ttl');
  const renewed = await approvalsForRun(dir, [{ sender: 'bob@example.com', text: 'allow 1' }], exact, later(12 * HOUR));
  t.strictSame(renewed.inEffect.map((a) => [a.approvedBy, a.expiresAt]), [['bob@example.com', '2026-12-07T14:00:00.000Z']], 'one entry, renewed');
  await recordLastBlocked(dir, [], later(40 * HOUR));
  t.strictSame(await readApprovals(dir), { lastBlocked: [], approvals: [] }, 'the expired approval is gone and the list replaced');
  const state = await readApprovals(dir);
  t.strictSame(approvalsInEffect(state, later(0)), []);
});

void t.test('an unreadable approvals file is an error naming it', async (t) => {
  const dir = await conversationDir(t);
  await writeFile(join(dir, 'approvals.json'), '{"approvals": [{"method": "GET", "host": "*", "pathPrefix": "/", "approvedBy": "x", "expiresAt": "2030-01-01T00:00:00Z"}]}');
  await t.rejects(readApprovals(dir), { code: 'APPROVALS_FILE_INVALID', message: /approvals\.json: approvals\[0\]: host/ });
  await writeFile(join(dir, 'approvals.json'), 'nope');
  await t.rejects(readApprovals(dir), { code: 'APPROVALS_FILE_INVALID' });
});

void t.test('approval_ttl durations', (t) => {
  t.equal(parseApprovalTtl('24h'), 24 * HOUR);
  t.equal(parseApprovalTtl('90m'), 90 * 60_000);
  t.equal(parseApprovalTtl('7d'), 7 * 24 * HOUR);
  t.equal(parseApprovalTtl('30s'), 30_000);
  t.throws(() => parseApprovalTtl('1 day', 'repos.x.network.approval_ttl'), { code: 'APPROVAL_TTL_INVALID', message: /repos\.x\.network\.approval_ttl: "1 day"/ });
  t.throws(() => parseApprovalTtl('0h'), { code: 'APPROVAL_TTL_INVALID' });
  t.end();
});
