import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { appendReceipt, lastReceipt, parseReceipt, readReceipts, receiptForMessages, receiptsFile, type Receipt } from '../../../src/core/receipt/index.js';

// Receipts are kept with the conversation, one JSON line per run; the last
// one is what `allow N` refers to, and the dashboard finds a run's by the
// messages it answered.

function receipt(blockedPath: string): Receipt {
  return {
    hosts: [{ host: 'pkgs.test', allowed: 0, blocked: 1, bytesUp: 0, bytesDown: 0 }],
    blocked: [{ method: 'GET', host: 'pkgs.test', pathPrefix: blockedPath, count: 1 }],
    credentials: [],
    approvals: [],
    usage: { calls: 0, inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0, claudeCostUsd: null, mismatch: 'm' },
    durationMs: 5,
  };
}

void t.test('append, read back, last, and by message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-receipts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.same(await readReceipts(dir), [], 'no file: no receipts');
  t.equal(await lastReceipt(dir), undefined);

  await appendReceipt(dir, { messageIds: ['<a@x>'], recordedAt: '2026-12-06T02:00:00.000Z', receipt: receipt('/one') });
  await appendReceipt(dir, { messageIds: ['<b@x>', '<c@x>'], recordedAt: '2026-12-06T02:05:00.000Z', receipt: receipt('/two') });
  t.equal(((await stat(receiptsFile(dir))).mode & 0o777), 0o600, 'host-only file, owner only');

  const all = await readReceipts(dir);
  t.same(all.map((e) => e.messageIds), [['<a@x>'], ['<b@x>', '<c@x>']]);
  t.same(all[0]?.receipt, receipt('/one'), 'round-trips every field');
  t.equal((await lastReceipt(dir))?.blocked[0]?.pathPrefix, '/two');
  t.equal(receiptForMessages(all, ['<c@x>'])?.blocked[0]?.pathPrefix, '/two');
  t.equal(receiptForMessages(all, ['<a@x>'])?.blocked[0]?.pathPrefix, '/one');
  t.equal(receiptForMessages(all, ['<z@x>']), undefined);
});

void t.test('a damaged line is skipped, the others kept', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airut-receipts-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await appendReceipt(dir, { messageIds: ['<a@x>'], recordedAt: '2026-12-06T02:00:00.000Z', receipt: receipt('/one') });
  await appendFile(receiptsFile(dir), '{"message_ids":["<b@x>"],"recorded_at":"x","receipt":{"hosts":"no"}}\n{"message_ids":["<c');
  t.same((await readReceipts(dir)).map((e) => e.receipt.blocked[0]?.pathPrefix), ['/one']);
  t.match(await readFile(receiptsFile(dir), 'utf8'), /<c$/, 'the file itself is not rewritten');
});

void t.test('parseReceipt refuses wrong types and keeps unknown fields out', (t) => {
  const good = receipt('/p');
  t.same(parseReceipt(JSON.parse(JSON.stringify({ ...good, extra: 1 }))), good);
  t.equal(parseReceipt({ ...good, durationMs: -1 }), undefined);
  t.equal(parseReceipt({ ...good, credentials: [1] }), undefined);
  t.equal(parseReceipt({ ...good, usage: { ...good.usage, costUsd: 'x' } }), undefined);
  t.equal(parseReceipt({ ...good, blocked: [{ method: 'GET' }] }), undefined);
  t.equal(parseReceipt(null), undefined);
  t.end();
});
