import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { budgetCaps, byteSize, needsLedger, RunSpend, SpendLedger } from '../../../src/core/budgets/index.js';

void t.test('the ledger adds runs per conversation and per UTC day; a new day starts from zero, the conversation does not', async (t) => {
  let now = new Date('2026-12-06T10:00:00Z');
  const path = join(t.testdir(), 'state', 'budget-spend.json');
  const ledger = new SpendLedger(path, () => now);
  t.strictSame(await ledger.prior('c1'), { conversation: 0, day: 0 }, 'no file yet: nothing spent');
  await ledger.record('c1', 0.25);
  await ledger.record('c1', 0.5);
  await ledger.record('c2', 1);
  t.strictSame(await ledger.prior('c1'), { conversation: 0.75, day: 1.75 });
  t.strictSame(await ledger.prior('c2'), { conversation: 1, day: 1.75 });

  now = new Date('2026-12-06T23:59:59Z');
  t.equal((await ledger.prior('c3')).day, 1.75, 'still the same UTC day');
  now = new Date('2026-12-07T00:00:00Z');
  t.strictSame(await ledger.prior('c1'), { conversation: 0.75, day: 0 }, 'a new UTC day');
  await ledger.record('c1', 0.1);
  t.strictSame(await ledger.prior('c1'), { conversation: 0.85, day: 0.1 });

  // Another instance (a restart) reads the same file.
  t.strictSame(await new SpendLedger(path, () => now).prior('c2'), { conversation: 1, day: 0.1 });
  const file = JSON.parse(await readFile(path, 'utf8')) as { days: Record<string, number> };
  t.strictSame(Object.keys(file.days).sort(), ['2026-12-06', '2026-12-07']);

  now = new Date('2026-12-20T00:00:00Z');
  await ledger.record('c9', 0.01);
  const later = JSON.parse(await readFile(path, 'utf8')) as { days: Record<string, number> };
  t.strictSame(Object.keys(later.days), ['2026-12-20'], 'days older than a week are dropped');
});

void t.test('concurrent records of one ledger all count', async (t) => {
  const ledger = new SpendLedger(join(t.testdir(), 'spend.json'), () => new Date('2026-12-06T10:00:00Z'));
  await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.record(`c${i % 2}`, 0.01)));
  const prior = await ledger.prior('c0');
  t.ok(Math.abs(prior.day - 0.2) < 1e-9, `day ${prior.day}`);
  t.ok(Math.abs(prior.conversation - 0.1) < 1e-9);
});

void t.test('a damaged ledger fails closed with a code naming the file', async (t) => {
  const path = join(t.testdir(), 'spend.json');
  await writeFile(path, '{"version":1,"days":{"2026-12-06":-1},"conversations":{}}');
  await t.rejects(new SpendLedger(path).prior('c1'), { code: 'BUDGET_LEDGER_INVALID', message: /spend\.json has a bad amount for day 2026-12-06/ });
  await writeFile(path, 'not json');
  await t.rejects(new SpendLedger(path).record('c1', 1), { code: 'BUDGET_LEDGER_INVALID' });
});

void t.test('caps: run, conversation and day with what earlier runs spent, egress in bytes, named by their config keys', (t) => {
  const caps = budgetCaps({ costUsd: { run: 2, conversation: 10, day: 50 }, egressBytes: 1024 }, { conversation: 3.5, day: 20 }, 'repos.r1.budgets');
  t.strictSame(caps, [
    { name: 'repos.r1.budgets.cost_usd.run', unit: 'usd', limit: 2, spent_before: 0 },
    { name: 'repos.r1.budgets.cost_usd.conversation', unit: 'usd', limit: 10, spent_before: 3.5 },
    { name: 'repos.r1.budgets.cost_usd.day', unit: 'usd', limit: 50, spent_before: 20 },
    { name: 'repos.r1.budgets.egress_bytes', unit: 'bytes', limit: 1024, spent_before: 0 },
  ]);
  t.strictSame(budgetCaps({ costUsd: {} }, { conversation: 1, day: 1 }, 'x'), [], 'no budgets: no caps');
  t.equal(needsLedger({ costUsd: { run: 1 } }), false);
  t.equal(needsLedger({ costUsd: { day: 1 } }), true);
  t.end();
});

void t.test('egress sizes: bytes or k/m/g (1024-based)', (t) => {
  t.equal(byteSize(1000), 1000);
  t.equal(byteSize('512k'), 512 * 1024);
  t.equal(byteSize('500M'), 500 * 1024 ** 2);
  t.equal(byteSize('2g'), 2 * 1024 ** 3);
  t.equal(byteSize('12'), 12);
  t.equal(byteSize('1.5g'), undefined);
  t.equal(byteSize(0), undefined);
  t.equal(byteSize('0m'), undefined);
  t.end();
});

void t.test('a run\'s spend is the sum of its USAGE lines as counted for budgets', (t) => {
  const spend = new RunSpend();
  const usage = (cost: number | null, counted?: number) => ({
    event: 'log' as const, kind: 'USAGE' as const, level: 'info' as const, line: 'USAGE', time: '',
    usage: { model: 'm', input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, cost_usd: cost, method: 'POST', url: 'u', ...(counted === undefined ? {} : { counted_usd: counted }) },
  });
  spend.observe(usage(0.01, 0.01));
  spend.observe(usage(null, 0.5));
  spend.observe(usage(0.02));
  spend.observe({ event: 'log', kind: 'ALLOWED', level: 'info', line: 'ALLOWED', time: '' });
  t.ok(Math.abs(spend.usd - 0.53) < 1e-12, `${spend.usd}`);
  t.end();
});
