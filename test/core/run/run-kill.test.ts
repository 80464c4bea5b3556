import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { resolveRunSettings, runCommand, runPrompt, type RunEvent, type RunSettings } from '../../../src/core/run/index.js';
import { testRuntime } from '../../harness/podman.js';
import { BASIC_REPO, internalEgressNetwork, leftoversOf } from './exec-fixture.js';

// The core's run handles on real podman with the network sandbox (its way
// out an --internal network) and the fake claude: kill() after a stop that
// was ignored ends the run and removes the task container, the proxy and its
// network; Claude's stderr reaches the event stream. That kill() skips the
// stop grace period is shown in test/sandbox/task/kill.test.ts.
const FAKE_CLAUDE = fileURLToPath(new URL('../../harness/fake-claude/claude', import.meta.url));
const runtime = testRuntime();
const egress = await internalEgressNetwork(t, runtime);

/** Settings for a copy of the basic repository whose container env holds `env`, and a private temp dir. */
async function settingsFor(t: Test, mode: 'prompt' | 'command', env: Record<string, string> = {}): Promise<{ settings: RunSettings; tmp: string }> {
  const home = await mkdtemp(join(tmpdir(), 'airut-t-run-kill-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const repo = join(home, 'repo');
  await cp(BASIC_REPO, repo, { recursive: true });
  await mkdir(join(repo, '.git'));
  await writeFile(join(repo, '.airut', 'sandbox.yaml'), `env:\n${Object.entries(env).map(([k, v]) => `  ${k}: ${v}\n`).join('')}`);
  const tmp = join(home, 'tmp');
  await mkdir(tmp);
  const settings = await resolveRunSettings(
    { mode, claudeBinary: FAKE_CLAUDE, egressNetwork: egress },
    { ANTHROPIC_API_KEY: 'sk-ant-test', XDG_STATE_HOME: join(home, 'state'), XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data') },
    repo,
    home,
  );
  return { settings, tmp };
}

void t.test('a prompt run ignoring SIGTERM: stop, then kill; the result says stopped and nothing is left', async (t) => {
  const { settings, tmp } = await settingsFor(t, 'prompt', { FAKE_CLAUDE_SCENARIO: 'ignore-term' });
  let initSeen: () => void = () => undefined;
  const init = new Promise<void>((resolve) => { initSeen = resolve; });
  const events: RunEvent[] = [];
  const run = runPrompt({ settings, prompt: 'x', deps: { runtime, tmpDir: tmp } }, (event) => {
    events.push(event);
    if (event.type === 'claude' && event.event.type === 'system') initSeen();
  });
  await init;
  const stopping = run.stop();
  await run.kill();
  await stopping;
  const result = await run.result;
  t.equal(result.stopped, true);
  t.equal(result.outcome, 'container_failed');
  t.match(events.at(-1), { type: 'finished', result: { stopped: true } }, 'the stream ends with the result');
  t.same(await leftoversOf(runtime, process.pid), [], 'task container, proxy and network are removed');
  t.same(await readdir(tmp), [], 'no temp file is left');
});

void t.test('a command ignoring SIGTERM ends on kill()', async (t) => {
  const { settings, tmp } = await settingsFor(t, 'command');
  let upSeen: () => void = () => undefined;
  const up = new Promise<void>((resolve) => { upSeen = resolve; });
  const run = runCommand({
    settings,
    argv: ['sh', '-c', 'trap "" TERM; echo up; while :; do sleep 1; done'],
    onStdout: (line) => { if (line === 'up\n') upSeen(); },
    onStderr: () => undefined,
    deps: { runtime, tmpDir: tmp },
  }, () => undefined);
  await up;
  await run.kill();
  const result = await run.result;
  t.equal(result.stopped, true);
  t.same(await leftoversOf(runtime, process.pid), [], 'task container, proxy and network are removed');
});

void t.test('what Claude Code writes to stderr comes as stderr events, one per line', async (t) => {
  const { settings, tmp } = await settingsFor(t, 'prompt', { FAKE_CLAUDE_SCENARIO: 'crash' });
  const events: RunEvent[] = [];
  const result = await runPrompt({ settings, prompt: 'x', deps: { runtime, tmpDir: tmp } }, (event) => events.push(event)).result;
  t.equal(result.outcome, 'container_failed');
  t.same(events.filter((event) => event.type === 'stderr'), [{ type: 'stderr', line: 'fake claude: segmentation fault (pretend)' }]);
});
