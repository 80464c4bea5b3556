import t from 'tap';
import { claudeRunFlags, runEnvironment, sandboxRunFlags, toRunFlags, type ParsedRunFlags } from '../../../src/core/cli/index.js';

const exec = { promptModeOnly: true, followUps: false } as const;
const run = { promptModeOnly: false, followUps: true } as const;

t.test('--network-log-live sits right after --network-log, and only when asked for', async (t) => {
  const live = Object.keys(sandboxRunFlags({ ...exec, liveNetworkLog: true }));
  t.same(live.slice(live.indexOf('network-log'), live.indexOf('network-log') + 3), ['network-log', 'network-log-live', 'network-sandbox']);
  t.notOk(Object.keys(sandboxRunFlags(run)).includes('network-log-live'));
});

t.test('Claude-only flags say "Prompt mode:" where a command mode exists; the worktree never does', async (t) => {
  const withModes = claudeRunFlags(exec);
  const alone = claudeRunFlags(run);
  t.equal(withModes.model.description, 'Prompt mode: Claude model (alias or id).');
  t.equal(alone.model.description, 'Claude model (alias or id).');
  t.equal(withModes.resume.description, 'Prompt mode: continue this Claude session.');
  t.equal(alone.resume.description, 'Continue this Claude session.');
  t.equal(withModes.worktree.description, 'Work in a fresh git worktree on a new branch; its path and branch are printed at the end.');
  t.equal(alone.worktree.description, 'Work in a fresh git worktree on a new branch (follow-ups stay in it); its path and branch are printed at the end.');
});

t.test('the timeout is per run where follow-ups exist', async (t) => {
  t.match(sandboxRunFlags(run).timeout.description, /^Wall-clock limit of each run in seconds/);
  t.match(sandboxRunFlags(exec).timeout.description, /^Wall-clock limit in seconds/);
});

t.test('every shared flag reaches RunFlags under its camelCase name', async (t) => {
  const parsed: ParsedRunFlags = {
    repo: 'r', dockerfile: 'd', 'context-dir': 'cd', allowlist: 'a', config: 'c', timeout: 60, 'container-command': 'docker',
    mount: ['/a:/b'], 'max-image-age': 0, 'network-log': 'n', 'network-log-live': true, 'network-sandbox': false,
    'egress-network': 'e', 'upstream-dns': '10.0.0.1', 'upstream-host': ['h=1.2.3.4'], 'upstream-ca': 'ca', 'proxy-base-image': 'i',
    resume: 's', continue: false, model: 'm', effort: 'high', worktree: true, 'claude-binary': 'b', 'claude-version': 'stable',
  };
  t.same(toRunFlags('command', parsed), {
    mode: 'command', repo: 'r', dockerfile: 'd', contextDir: 'cd', allowlist: 'a', config: 'c', timeout: 60, containerCommand: 'docker',
    mount: ['/a:/b'], maxImageAge: 0, networkLog: 'n', networkLogLive: true, networkSandbox: false,
    egressNetwork: 'e', upstreamDns: '10.0.0.1', upstreamHost: ['h=1.2.3.4'], upstreamCa: 'ca', proxyBaseImage: 'i',
    resume: 's', continue: false, model: 'm', effort: 'high', worktree: true, claudeBinary: 'b', claudeVersion: 'stable',
  });
});

t.test('the environment entry names each flag variable once, in flag order', async (t) => {
  const environment = runEnvironment({ ...sandboxRunFlags(run), ...claudeRunFlags(run) });
  t.match(environment.AIRUT_REPO, /^Same as --repo; likewise AIRUT_DOCKERFILE, AIRUT_CONTEXT_DIR, /);
  t.match(environment.AIRUT_REPO, /AIRUT_CLAUDE_BINARY and AIRUT_CLAUDE_VERSION for their flags\.$/);
  t.notMatch(environment.AIRUT_REPO, /NETWORK_LOG_LIVE/);
  t.same(Object.keys(environment), ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'AIRUT_REPO', 'CONTAINERS_CONF', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME']);
  t.same(Object.keys(runEnvironment({})), ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'CONTAINERS_CONF', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_DATA_HOME']);
});
