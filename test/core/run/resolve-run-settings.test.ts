import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { readLastSession, repoStateDir, resolveRunSettings, writeLastSession } from '../../../src/core/run/index.js';
import { BASIC_REPO } from './exec-fixture.js';

async function repoCopy(t: Test, git = true): Promise<{ home: string; repo: string }> {
  const home = await mkdtemp(join(tmpdir(), 'airut-t-settings-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const repo = join(home, 'repo');
  await cp(BASIC_REPO, repo, { recursive: true });
  // A .git directory is all findGitRoot looks for.
  if (git) await mkdir(join(repo, '.git'));
  await mkdir(join(repo, 'sub', 'dir'), { recursive: true });
  return { home, repo };
}

void t.test('prompt mode from a subdirectory: git root, repo files, masked credentials', async (t) => {
  const { home, repo } = await repoCopy(t);
  const settings = await resolveRunSettings({ model: 'sonnet' }, { ANTHROPIC_API_KEY: 'sk-ant-real', XDG_STATE_HOME: join(home, 'state') }, join(repo, 'sub', 'dir'), home);
  t.equal(settings.mode, 'prompt');
  t.equal(settings.repoRoot, repo);
  t.equal(settings.stateDir, join(home, 'state', 'airut'));
  t.equal(settings.caDir, join(home, '.local', 'share', 'airut', 'ca'));
  t.equal(settings.repoStateDir, repoStateDir(join(home, 'state', 'airut'), repo));
  t.match(settings.containerEnv, { GREETING: 'hello from sandbox.yaml' });
  t.notOk('ANTHROPIC_API_KEY' in settings.containerEnv, 'the real key is not container env');
  t.same(settings.maskedSecrets, [{ name: 'ANTHROPIC_API_KEY', value: 'sk-ant-real', scopes: ['api.anthropic.com'], headers: ['x-api-key'] }]);
  t.equal(settings.timeoutSeconds, 300, 'from resource_limits.timeout');
  t.equal(settings.networkSandbox, true);
  t.same(settings.claude, { model: 'sonnet' });
  t.same(settings.warnings, []);
});

void t.test('flags override the repo files; pass_env copies only what is set', async (t) => {
  const { home, repo } = await repoCopy(t, false);
  await writeFile(join(repo, '.airut', 'sandbox.yaml'), 'pass_env: [SET_ONE, UNSET_ONE]\nenv:\n  SET_ONE: static\n');
  const settings = await resolveRunSettings({
    mode: 'command', timeout: 60, mount: ['x:/x:ro'], upstreamHost: ['a.test=10.0.0.1'], upstreamCa: 'ca.pem', networkLog: 'logs/n.log',
  }, { SET_ONE: 'from host' }, repo, home);
  t.equal(settings.repoRoot, repo, 'command mode works outside git');
  t.equal(settings.gitRoot, undefined);
  t.same(settings.containerEnv, { SET_ONE: 'from host' }, 'pass_env wins over env');
  t.equal(settings.timeoutSeconds, 60);
  t.same(settings.mounts, [{ hostPath: join(repo, 'x'), containerPath: '/x', readOnly: true }]);
  t.same(settings.network, { upstreamHosts: { 'a.test': '10.0.0.1' }, upstreamCaFile: join(repo, 'ca.pem') });
  t.equal(settings.networkLog, join(repo, 'logs', 'n.log'));
  t.same(settings.maskedSecrets, [], 'command mode takes no Claude credentials');
});

void t.test('without the network sandbox the credential is passed as is, with a warning; an allowlist without Anthropic warns', async (t) => {
  const { home, repo } = await repoCopy(t);
  const off = await resolveRunSettings({ networkSandbox: false }, { CLAUDE_CODE_OAUTH_TOKEN: 'tok' }, repo, home);
  t.equal(off.containerEnv.CLAUDE_CODE_OAUTH_TOKEN, 'tok');
  t.match(off.warnings, [/network sandbox is off: CLAUDE_CODE_OAUTH_TOKEN enters the container as the real value/]);
  await writeFile(join(repo, '.airut', 'network-allowlist.yaml'), 'domains: [pypi.org]\n');
  const closed = await resolveRunSettings({}, { ANTHROPIC_API_KEY: 'k' }, repo, home);
  t.match(closed.warnings, [/does not allow POST https:\/\/api\.anthropic\.com\/v1\/messages/]);
});

void t.test('--continue reads the last session; --resume takes the given one', async (t) => {
  const { home, repo } = await repoCopy(t);
  const env = { ANTHROPIC_API_KEY: 'k' };
  await t.rejects(resolveRunSettings({ continue: true }, env, repo, home), { code: 'RUN_NO_SESSION', exitCode: 125 });
  const first = await resolveRunSettings({}, env, repo, home);
  t.equal(await readLastSession(first.repoStateDir), undefined);
  await writeLastSession(first.repoStateDir, 'session-1');
  t.equal((await resolveRunSettings({ continue: true }, env, repo, home)).claude.sessionId, 'session-1');
  t.equal((await resolveRunSettings({ resume: 'other' }, env, repo, home)).claude.sessionId, 'other');
  await t.rejects(resolveRunSettings({ resume: 'a', continue: true }, env, repo, home), { code: 'RUN_FLAG_INVALID' });
});

void t.test('prompt mode refusals', async (t) => {
  const { home, repo } = await repoCopy(t, false);
  await t.rejects(resolveRunSettings({}, { ANTHROPIC_API_KEY: 'k' }, repo, home), { code: 'RUN_NOT_A_GIT_REPO', message: /is not inside a git repository/, hint: /--repo DIR/ });
  t.equal((await resolveRunSettings({ repo: '.' }, { ANTHROPIC_API_KEY: 'k' }, repo, home)).repoRoot, repo, '--repo names any directory');
  await t.rejects(resolveRunSettings({ repo: '.' }, {}, repo, home), { code: 'RUN_NO_CREDENTIALS', message: /neither ANTHROPIC_API_KEY nor CLAUDE_CODE_OAUTH_TOKEN is set/ });
  await t.rejects(resolveRunSettings({ mode: 'command', worktree: true }, {}, repo, home), { code: 'RUN_NOT_A_GIT_REPO', message: /--worktree needs a git repository/ });
  await t.rejects(resolveRunSettings({ mode: 'command', timeout: 3 }, {}, repo, home), { code: 'TASK_LIMIT_INVALID', message: /--timeout: timeout 3 is invalid/ });
});
