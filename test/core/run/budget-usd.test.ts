import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { resolveRunSettings } from '../../../src/core/run/index.js';
import { BASIC_REPO } from './exec-fixture.js';

void t.test('--budget-usd: an amount above 0, only with the network sandbox', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'airut-t-budget-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const repo = join(home, 'repo');
  await cp(BASIC_REPO, repo, { recursive: true });
  await mkdir(join(repo, '.git'));
  const env = { ANTHROPIC_API_KEY: 'sk-ant-real' };
  t.equal((await resolveRunSettings({}, env, repo, home)).budgetUsd, undefined, 'none by default');
  t.equal((await resolveRunSettings({ budgetUsd: '0.50' }, env, repo, home)).budgetUsd, 0.5);
  t.equal((await resolveRunSettings({ budgetUsd: '2' }, env, repo, home)).budgetUsd, 2);
  for (const bad of ['0', '-1', 'abc', '1e3', '']) {
    await t.rejects(resolveRunSettings({ budgetUsd: bad }, env, repo, home), { code: 'RUN_FLAG_INVALID', message: new RegExp(`--budget-usd ${JSON.stringify(bad).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an amount`) });
  }
  await t.rejects(resolveRunSettings({ budgetUsd: '1', networkSandbox: false }, env, repo, home), { code: 'RUN_FLAG_INVALID', message: /needs the network sandbox/ });
});
