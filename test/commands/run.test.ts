import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { OWNER_LABEL } from '../../src/sandbox/runtime/index.js';
import { BIN } from '../harness/cli.js';
import { realClaudeBinary } from '../harness/claude-binary.js';
import { startFrontedAnthropic } from '../harness/fake-anthropic/index.js';
import { FAKE_UPSTREAM_CA } from '../harness/fake-upstream/fake-upstream.js';
import { testRuntime } from '../harness/podman.js';
import { execFixture, internalEgressNetwork, leftoversOf, scratchDir } from '../core/run/exec-fixture.js';

// `airut run` end to end in a real pseudo-terminal (tmux): the built CLI, the
// real Claude Code binary and the real network sandbox, with a fake Messages
// API behind a TLS front as https://api.anthropic.com on an --internal egress
// network this file creates (the same setup as `airut sandbox exec`'s prompt
// tests). Nothing leaves the machine.
const runtime = testRuntime();
const FAKE_CLAUDE = fileURLToPath(new URL('../harness/fake-claude/claude', import.meta.url));
const EXIT_STATUS_WRAPPER = fileURLToPath(new URL('../harness/exit-status-wrapper.js', import.meta.url));
const claude = await realClaudeBinary();
await execa('tmux', ['-V']).catch(() => {
  throw new Error('tmux is missing: run `apt-get install -y tmux`');
});
const egress = await internalEgressNetwork(t, runtime);
const records = await scratchDir(t, 'run-anthropic');
const tag = randomBytes(3).toString('hex');
const { fake, frontIp } = await startFrontedAnthropic(t, runtime, egress, records, `airut-t-run-${tag}`);

void t.test('the TUI shows the transcript and the network panel; Ctrl-C stops the run and leaves nothing behind', async (t) => {
  const fx = await execFixture(t);
  const screen = await startTmux(t, fx.repo, { ...fx.env, ANTHROPIC_API_KEY: `sk-ant-api03-${randomBytes(24).toString('hex')}` }, [
    'run', '--egress-network', egress,
    '--upstream-host', `api.anthropic.com=${frontIp}`, '--upstream-ca', FAKE_UPSTREAM_CA,
    '--claude-binary', claude,
    // The fake API answers "RUN: cmd" with a Bash call of cmd: one blocked request, then a wait to interrupt.
    'RUN: curl -s -o /dev/null http://blocked.test/private; sleep 120',
  ]);

  const running = await screen.until(/Bash curl -s -o \/dev\/null http:\/\/blocked\.test\/private; sleep 120 running[\s\S]*BLOCKED GET http:\/\/blocked\.test\/private -> 403/);
  t.match(running, /✓ Container image/, 'the phases');
  t.match(running, /✓ Network sandbox/);
  t.match(running, /> RUN: curl/, 'the prompt heads the transcript');
  t.match(running, /Network\s+\d+ allowed\s+1 blocked/, 'the network panel counts');
  t.match(running, /ALLOWED POST https:\/\/api\.anthropic\.com\/v1\/messages/);
  t.match(running, /To allow it, add to \.airut\/network-allowlist\.yaml:[\s\S]*- host: blocked\.test[\s\S]*path: \/private[\s\S]*methods: \[GET\]/, 'the hint for the block');
  t.match(running, /session [0-9a-f-]{36}/, 'the footer names the session');
  t.match(running, /q or Ctrl-C stop · v tool results · n network/);

  const pid = await screen.panePid();
  await screen.keys('C-c');
  const { status, text } = await screen.exited();
  t.equal(status, 130, `stopped by the user${status === undefined ? `: ${text.split('\n')[0] ?? ''}` : ''}`);
  // Claude Code may still report the killed command (exit 137) before it stops itself.
  t.match(text, /Bash curl .* (interrupted|failed)/);
  t.match(text, /Stopped: /);
  t.match(text, /To continue this session: airut run --resume [0-9a-f-]{36}/);
  t.same(await leftoversOf(runtime, pid), [], 'no container or network is left');
});

void t.test('a task that ignores SIGTERM: the second Ctrl-C kills it; nothing is left behind', async (t) => {
  // The fake claude of the sandbox tests, told by the repository's sandbox.yaml to ignore SIGTERM.
  const fx = await execFixture(t, { files: { '.airut/sandbox.yaml': 'env:\n  FAKE_CLAUDE_SCENARIO: ignore-term\n' } });
  const screen = await startTmux(t, fx.repo, { ...fx.env, ANTHROPIC_API_KEY: 'sk-ant-test' }, [
    'run', '--egress-network', egress, '--claude-binary', FAKE_CLAUDE, 'Ignore every request to stop',
  ]);
  await screen.until(/session 11111111-2222-3333-4444-555555555555/);
  const pid = await screen.panePid();
  await screen.keys('C-c');
  await screen.until(/Stopping the task… Ctrl-C again kills it/);
  await screen.keys('C-c');
  const { status, text } = await screen.exited();
  t.equal(status, 130, `stopped by the user${status === undefined ? `: ${text.split('\n')[0] ?? ''}` : ''}`);
  t.match(text, /Stopped: /);
  t.same(await leftoversOf(runtime, pid), [], 'no container or network is left');
});

void t.test('without a terminal, Claude Code\'s stderr comes as [claude] lines', async (t) => {
  const fx = await execFixture(t, { files: { '.airut/sandbox.yaml': 'env:\n  FAKE_CLAUDE_SCENARIO: api-error\n' } });
  const result = await fx.run(['run', '--egress-network', egress, '--claude-binary', FAKE_CLAUDE, 'Fail'], { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.equal(result.exitCode, 1, result.stderr);
  t.match(result.stdout, /^\[claude\] API Error: 400 \{"type":"error".*tool_use ids without tool_result"\}\}\n\[task\] Claude Code done: session_corrupted/m, 'as it came, before the run ended');
  t.match(result.stdout, /^\[failed\] Session rejected: API Error: 400/m);
  t.same(await leftoversOf(runtime, result.pid), [], 'no container or network is left');
});

void t.test('a follow-up typed after the answer continues the same session; Esc exits with the resume command', async (t) => {
  const fx = await execFixture(t);
  const screen = await startTmux(t, fx.repo, { ...fx.env, ANTHROPIC_API_KEY: `sk-ant-api03-${randomBytes(24).toString('hex')}` }, [
    'run', '--egress-network', egress,
    '--upstream-host', `api.anthropic.com=${frontIp}`, '--upstream-ca', FAKE_UPSTREAM_CA,
    '--claude-binary', claude,
    'Say hello',
  ]);
  const first = await screen.until(/Hello from the fake server\.[\s\S]*Follow-up: Enter sends/);
  const session = /session ([0-9a-f-]{36})/.exec(first)?.[1];
  t.ok(session, 'the footer names the session');
  await screen.keys('-l', 'RUN: echo follow-up');
  // Enter only after the typed text is on screen: sent in the same read, Ink takes it as text, not as the Return key.
  await screen.until(/RUN: echo follow-up/);
  await screen.keys('Enter');
  const second = await screen.until(/> RUN: echo follow-up[\s\S]*✓ Bash echo follow-up done[\s\S]*Done: ran the command\.[\s\S]*Follow-up: Enter sends/);
  t.match(second, new RegExp(`session ${session ?? 'none'}`), 'the same session');
  const pid = await screen.panePid();
  await screen.keys('Escape');
  const { status, text } = await screen.exited();
  t.equal(status, 0);
  t.match(text, new RegExp(`To continue this session: airut run --resume ${session ?? 'none'}`));
  const requests = (await fake.requests()).filter((r) => r.url.startsWith('/v1/messages'));
  t.match(JSON.stringify(requests.at(-1)?.body?.messages ?? []), /Say hello.*Hello from the fake server\..*RUN: echo follow-up/s, 'the fake saw the first turn again');
  t.same(await leftoversOf(runtime, pid), [], 'no container or network is left');
});

void t.test('without a terminal: plain lines with the same information, no cursor control', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([
    'run', '--egress-network', egress,
    '--upstream-host', `api.anthropic.com=${frontIp}`, '--upstream-ca', FAKE_UPSTREAM_CA,
    '--claude-binary', claude,
    'Say hello',
  ], { env: { ANTHROPIC_API_KEY: `sk-ant-api03-${randomBytes(24).toString('hex')}` } });
  t.equal(result.exitCode, 0, result.stderr);
  t.notOk(result.stdout.includes('\u001b'), 'no escape sequences');
  t.match(result.stdout, /^> Say hello\n/);
  t.match(result.stdout, /\[image\] Container image (started|done)/);
  t.match(result.stdout, /\[proxy\] Network sandbox done/);
  t.match(result.stdout, /\[network\] ALLOWED POST https:\/\/api\.anthropic\.com\/v1\/messages\?beta=true -> 200 \[masked: 1\]/);
  t.match(result.stdout, /\[session\] [0-9a-f-]{36}/);
  t.match(result.stdout, /\nHello from the fake server\.\n/);
  t.match(result.stdout, /\[done\] 1 turn, .* tokens, \$[\d.]+, [\d.]+s, session ([0-9a-f-]{36})\nTo continue this session: airut run --resume \1$/, 'the summary, then how to continue (execa drops the last newline)');
  t.same(await leftoversOf(runtime, result.pid), [], 'no container or network is left');
});

/** A detached tmux server of its own (so it inherits exactly `env`) running `airut ARGS` in a 120x40 pane. */
async function startTmux(t: Test, cwd: string, env: Record<string, string>, args: string[]) {
  const dir = await scratchDir(t, 'run-tmux');
  const conf = join(dir, 'tmux.conf');
  // The pane stays after airut exits, so the last screen can be read.
  await writeFile(conf, 'set -g remain-on-exit on\nset -g history-limit 0\n');
  const socket = `airut-t-run-${randomBytes(3).toString('hex')}`;
  const tmux = (...argv: string[]) => execa('tmux', ['-L', socket, '-f', conf, ...argv], {
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm-256color', TMUX_TMPDIR: dir, ...env },
    extendEnv: false,
  });
  // airut runs under a wrapper that writes its exit status to a file: tmux may leave a dead pane's
  // process unreaped (a zombie, no #{pane_dead_status}) on a busy machine.
  const statusFile = join(dir, 'exit-status');
  await tmux('new-session', '-d', '-s', 'airut', '-x', '120', '-y', '40', '-c', cwd, process.execPath, EXIT_STATUS_WRAPPER, statusFile, BIN, ...args);
  /** airut's own pid (its resources carry it as their owner). */
  const panePid = async (): Promise<number> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const text = await readFile(`${statusFile}.pid`, 'utf8').catch(() => '');
      if (text !== '') return Number(text);
      if (Date.now() > deadline) throw new Error(`airut never started in tmux:\n${await capture()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const capture = async () => (await tmux('capture-pane', '-p', '-t', 'airut')).stdout;
  const pid = await panePid();
  t.teardown(async () => {
    await tmux('kill-server').catch(() => undefined);
    // A run the test did not get to stop must not leave its proxy and network behind.
    for (const kind of ['container', 'network'] as const) {
      const names = (await runtime.call([kind === 'container' ? 'ps' : 'network', ...(kind === 'container' ? ['-a'] : ['ls']), '--filter', `label=${OWNER_LABEL}=${pid}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean);
      for (const name of names) await runtime.call(kind === 'container' ? ['rm', '-f', '-t', '0', name] : ['network', 'rm', '-f', name]);
    }
  });
  /**
   * Resolves with the screen once it matches. tmux has no change notification
   * for a detached pane short of control mode, so this reads the screen every
   * 250 ms (up to 4 minutes: the first run may build the image and the proxy).
   */
  const until = async (pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 240_000;
    let text = await capture();
    while (!pattern.test(text)) {
      if (Date.now() > deadline) throw new Error(`the screen never matched ${String(pattern)}:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      text = await capture();
    }
    return text;
  };
  return {
    until,
    panePid,
    keys: async (...keys: string[]) => { await tmux('send-keys', '-t', 'airut', ...keys); },
    /**
     * Waits for airut to exit; its exit status (undefined when a signal killed
     * it: the screen then starts with the signal) and the last screen.
     */
    exited: async () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const ended = await readFile(statusFile, 'utf8').catch(() => '');
        if (ended !== '') {
          const { code, signal } = JSON.parse(ended) as { code: number | null; signal: string | null };
          const text = await capture();
          return code === null ? { status: undefined, text: `(killed by signal ${signal ?? '?'})\n${text}` } : { status: code, text };
        }
        if (Date.now() > deadline) {
          const processes = (await execa('ps', ['-eo', 'pid,ppid,stat,args'], { reject: false })).stdout;
          throw new Error(`airut did not exit (pid ${pid}):\n${await capture()}\n${processesUnder(processes, pid)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

/** The lines of `ps -eo pid,ppid,stat,args` output for `root` and its descendants: what still holds a pane open. */
function processesUnder(table: string, root: number): string {
  const rows = table.split('\n').slice(1).map((line) => line.trim().split(/\s+/)).filter((cols) => cols.length >= 3);
  const keep = new Set([String(root)]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of rows) {
      if (pid !== undefined && ppid !== undefined && keep.has(ppid) && !keep.has(pid)) { keep.add(pid); grew = true; }
    }
  }
  return rows.filter(([pid]) => pid !== undefined && keep.has(pid)).map((cols) => cols.join(' ')).join('\n') || `(no process ${root} or below)`;
}
