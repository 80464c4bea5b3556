import t from 'tap';
import { validateConfig } from '../../../src/core/config/index.js';
import { budgetSettingsOf } from '../../../src/core/budgets/index.js';

const slack = { bot_token: 'xoxb-1', app_token: 'xapp-1', authorized: [{ user_id: 'U1' }] };

void t.test('airut.yaml budgets and prices load, sizes become bytes; budgets without the network sandbox are refused', (t) => {
  const { config, problems } = validateConfig({
    prices: { 'claude-sonnet-4': { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 } },
    repos: { r1: { repo_url: 'https://example.com/r.git', slack, budgets: { cost_usd: { run: 2, conversation: 10, day: 50 }, egress_bytes: '500m' } } },
  });
  t.same(problems, []);
  t.same(config?.prices, { 'claude-sonnet-4': { input: 3, output: 15, cache_write: 3.75, cache_read: 0.3 } });
  t.same(budgetSettingsOf(config!.repos.r1!.budgets, 'repos.r1.budgets'), { costUsd: { run: 2, conversation: 10, day: 50 }, egressBytes: 500 * 1024 * 1024 });
  t.same(budgetSettingsOf(validateConfig({ repos: { r1: { repo_url: 'https://example.com/r.git', slack } } }).config!.repos.r1!.budgets, 'x'), { costUsd: {} }, 'none by default');

  const off = validateConfig({ repos: { r1: { repo_url: 'https://example.com/r.git', slack, network: { sandbox_enabled: false }, budgets: { cost_usd: { run: 1 } } } } });
  t.match(JSON.stringify(off.problems), /budgets.*are enforced by the network sandbox's proxy, but network\.sandbox_enabled is false/);
  for (const budgets of [{ cost_usd: { run: 0 } }, { cost_usd: { week: 1 } }, { egress_bytes: '1.5g' }, { egress_bytes: 0 }]) {
    t.not(validateConfig({ repos: { r1: { repo_url: 'https://example.com/r.git', slack, budgets } } }).problems.length, 0, JSON.stringify(budgets));
  }
  t.not(validateConfig({ prices: { 'claude-x': { input: 1 } }, repos: {} }).problems.length, 0, 'a price needs every kind');
  t.end();
});
