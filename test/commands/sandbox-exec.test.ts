import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import t from 'tap';
import { FAKE_UPSTREAM_CA, startFakeUpstream } from '../harness/fake-upstream/fake-upstream.js';
import { BIN } from '../harness/cli.js';
import { TEST_BASE_IMAGE, testRuntime } from '../harness/podman.js';
import { stallingRegistry } from '../sandbox/claude/binary/stalling-registry.js';
import { CLI_RESOURCE_PREFIX } from '../../src/core/run/index.js';
import { imageContentHash } from '../../src/sandbox/image/index.js';
import { BASIC_REPO, execFixture, filesIn, internalEgressNetwork, leftoversOf, scratchDir } from '../core/run/exec-fixture.js';

// `airut sandbox exec` in command mode, run as a user runs it, on real podman.
// Every run is behind the network sandbox whose way out is an --internal
// network this file creates: nothing can leave the machine.
const FAKE_CLAUDE = fileURLToPath(new URL('../harness/fake-claude/claude', import.meta.url));
const runtime = testRuntime();
const egress = await internalEgressNetwork(t, runtime);
const sandboxed = ['sandbox', 'exec', '--egress-network', egress];

void t.test('the command\'s exit code, output streams and sandbox.yaml env come through; nothing is left', async (t) => {
  // Not a git repository: command mode works on any directory.
  const fx = await execFixture(t, { git: false });
  const result = await fx.run([...sandboxed, '--', 'sh', '-c', 'echo "out $GREETING"; echo err >&2; pwd; exit 7']);
  t.equal(result.exitCode, 7, result.stderr);
  t.equal(result.stdout, 'out hello from sandbox.yaml\n/workspace');
  t.match(result.stderr, /^err$/m);
  t.same(await leftoversOf(runtime, result.pid), [], 'no container or network of the run is left');
  t.same(await filesIn(fx.tmp), [], 'no temp file is left');
});

void t.test('a command past --timeout is removed and exits 124', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([...sandboxed, '--timeout', '10', '--', 'sleep', '60']);
  t.equal(result.exitCode, 124, result.stderr);
  t.match(result.stderr, /timed out after 10 s/);
  t.same(await leftoversOf(runtime, result.pid), []);
});

void t.test('a command killed by SIGKILL exits 137 with a hint about the memory limit', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([...sandboxed, '--', 'sh', '-c', 'kill -9 $$']);
  t.equal(result.exitCode, 137, result.stderr);
  t.match(result.stderr, /killed \(exit 137\).*resource_limits\.memory/);
});

void t.test('SIGTERM stops the run: exit 130, nothing left behind', async (t) => {
  const fx = await execFixture(t);
  const child = fx.start([...sandboxed, '--', 'sleep', '120']);
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('airut: running')) resolve();
    });
  });
  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 130, String(result.stderr));
  t.same(await leftoversOf(runtime, child.pid), [], 'container, proxy and network are removed');
  t.same(await filesIn(fx.tmp), [], 'no temp file is left');
});

void t.test('a second SIGTERM kills a command that ignores the first: exit 130, nothing left behind', async (t) => {
  const fx = await execFixture(t);
  const child = fx.start([...sandboxed, '--', 'sh', '-c', 'trap "" TERM; echo up; while :; do sleep 1; done']);
  let seen = '';
  const stderrSays = (text: string) => new Promise<void>((resolve) => {
    const check = () => { if (seen.includes(text)) resolve(); };
    child.stderr?.on('data', (chunk: Buffer) => { seen += chunk.toString(); check(); });
    check();
  });
  await new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => { if (chunk.toString().includes('up')) resolve(); });
  });
  child.kill('SIGTERM');
  await stderrSays('airut: stopping the task (interrupt again to kill it)');
  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 130, String(result.stderr));
  t.match(String(result.stderr), /airut: killing the task/);
  t.same(await leftoversOf(runtime, child.pid), [], 'container, proxy and network are removed');
  t.same(await filesIn(fx.tmp), [], 'no temp file is left');
});

void t.test('SIGINT during the image build stops it at once: exit 130, no build process, container, image or temp file left', async (t) => {
  const marker = `slowbuild-${randomBytes(4).toString('hex')}`;
  const dockerfile = `FROM ${TEST_BASE_IMAGE}\nRUN echo "${marker}-$(hostname)" && sleep 600\n`;
  const fx = await execFixture(t, { files: { '.airut/container/Dockerfile': dockerfile } });
  const child = fx.start([...sandboxed, '--', 'true']);
  // The RUN step prints its working container's id, then sleeps far past the test.
  const containerId = await new Promise<string>((resolve) => {
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const found = new RegExp(`airut: build: ${marker}-([0-9a-f]+)`).exec(seen);
      if (found) resolve(found[1]!);
    });
  });
  child.kill('SIGINT');
  const result = await child;
  t.equal(result.exitCode, 130, String(result.stderr));
  t.notMatch(String(result.stderr), /airut: running/, 'the command never started');
  t.equal((await execa('pgrep', ['-af', marker], { reject: false })).stdout, '', 'no RUN step process is left');
  const external = await runtime.run(['ps', '-a', '--external', '--format', '{{.ID}}']);
  t.notOk(external.stdout.split('\n').some((id) => id.startsWith(containerId)), 'the build\'s working container is removed');
  const repoTag = `${CLI_RESOURCE_PREFIX}-repo:${imageContentHash(dockerfile, {})}`;
  t.not((await runtime.call(['image', 'exists', repoTag])).exitCode, 0, 'the image was not tagged');
  t.same(await leftoversOf(runtime, child.pid), [], 'no container or network of the run is left');
  t.same(await filesIn(fx.tmp), [], 'no temp file (build context) is left');
});

void t.test('prompt mode: SIGINT during the Claude Code download stops it at once: exit 130, no download file or container left', async (t) => {
  const registry = await stallingRegistry(t);
  const fx = await execFixture(t);
  const child = execa(process.execPath, [BIN, ...sandboxed, 'say hi'], {
    cwd: fx.repo,
    env: { PATH: process.env.PATH ?? '', ...fx.env, ANTHROPIC_API_KEY: 'sk-ant-test', npm_config_registry: registry.url },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
  await registry.tarballStarted;
  child.kill('SIGINT');
  const result = await child;
  t.equal(result.exitCode, 130, String(result.stderr));
  t.notMatch(String(result.stderr), /airut: running/, 'the task never started');
  t.equal(registry.tarballRequests(), 1, 'the download was not retried');
  const home = fx.env.HOME ?? '';
  const stray = (await readdir(home, { recursive: true })).map(String).filter((name) => name.includes('.claude-download-') || name.endsWith('.lock'));
  t.same(stray, [], 'no download temp file or lock is left');
  t.same(await leftoversOf(runtime, child.pid), [], 'no container or network of the run is left');
  t.same(await filesIn(fx.tmp), [], 'no temp file is left');
});

void t.test('prompt mode: what Claude Code writes to stderr comes with the progress, as [claude] lines', async (t) => {
  const fx = await execFixture(t, { files: { '.airut/sandbox.yaml': 'env:\n  FAKE_CLAUDE_SCENARIO: crash\n' } });
  const result = await fx.run([...sandboxed, '--claude-binary', FAKE_CLAUDE, 'Crash'], { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.equal(result.exitCode, 1, result.stderr);
  t.equal(result.stdout, '');
  t.match(result.stderr, /^airut: running \(context \S+\)\n\[claude\] fake claude: segmentation fault \(pretend\)\n/m);
  t.same(await leftoversOf(runtime, result.pid), []);
});

void t.test('--network-log gets the TASK START marker and one line per request; --network-log-live shows them', async (t) => {
  const fx = await execFixture(t);
  const upstream = await startFakeUpstream(t, runtime, egress, `airut-t-exec-up-${process.pid}`);
  const log = join(fx.repo, 'logs', 'net.log');
  const result = await fx.run([
    ...sandboxed, '--network-log', log, '--network-log-live',
    '--upstream-host', `allowed.test=${upstream.ip}`, '--upstream-host', `blocked.test=${upstream.ip}`, '--upstream-ca', FAKE_UPSTREAM_CA,
    '--', 'sh', '-c', 'curl -sS https://allowed.test/x; echo; curl -s -o /dev/null -w "%{http_code}" https://blocked.test/y',
  ]);
  t.equal(result.exitCode, 0, result.stderr);
  t.match(result.stdout, /"upstream":"fake"/, 'the allowed request reached the upstream');
  t.match(result.stdout, /403$/, 'the blocked one got 403');
  const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  t.match(lines[0], /^=== TASK START \d{4}-\d\d-\d\dT[\d:.]+Z ===$/);
  const requests = lines.filter((line) => /^(ALLOWED|BLOCKED) /.test(line));
  t.same(requests.map((line) => line.split(' ').slice(0, 3).join(' ')), ['ALLOWED GET https://allowed.test/x', 'BLOCKED GET https://blocked.test/y']);
  t.match(result.stderr, /^\[net\] ALLOWED GET https:\/\/allowed\.test\/x/m);
  t.same(upstream.requests.map((r) => r.url), ['/x'], 'only the allowed request went upstream');
  t.same(await leftoversOf(runtime, result.pid), []);
});

void t.test('two runs at once in one repository both succeed', async (t) => {
  const fx = await execFixture(t);
  const [a, b] = await Promise.all([
    fx.run([...sandboxed, '--', 'sh', '-c', 'echo a > /workspace/a.txt; echo a']),
    fx.run([...sandboxed, '--', 'sh', '-c', 'echo b > /workspace/b.txt; echo b']),
  ]);
  t.equal(a.exitCode, 0, a.stderr);
  t.equal(b.exitCode, 0, b.stderr);
  t.equal(a.stdout, 'a');
  t.equal(b.stdout, 'b');
  t.equal(await readFile(join(fx.repo, 'a.txt'), 'utf8'), 'a\n', 'the workspace is the live repository');
  t.equal(await readFile(join(fx.repo, 'b.txt'), 'utf8'), 'b\n');
  t.same([...await leftoversOf(runtime, a.pid), ...await leftoversOf(runtime, b.pid)], []);
});

void t.test('--worktree runs on a new branch in a fresh worktree, and git works inside', async (t) => {
  const fx = await execFixture(t);
  const result = await fx.run([...sandboxed, '--worktree', '--', 'sh', '-c',
    'echo new > new.txt && git add new.txt && git -c user.name=t -c user.email=t@example.invalid commit -qm new && git rev-list --count HEAD']);
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(result.stdout, '2', 'the commit landed on top of the repository\'s history');
  const [, path, branch] = /airut: worktree (\S+) on branch (airut\/\S+)/.exec(result.stderr) ?? [];
  t.ok(path && branch, 'path and branch are printed');
  t.equal(await readFile(join(path ?? '', 'new.txt'), 'utf8'), 'new\n');
  await t.rejects(readFile(join(fx.repo, 'new.txt')), { code: 'ENOENT' }, 'the live checkout is untouched');
  const log = await execa('git', ['log', '--format=%s', branch ?? ''], { cwd: fx.repo });
  t.equal(log.stdout, 'new\nfixture', 'the branch is in the repository');
});

void t.test('Airut\'s own failures exit 125 with one clear message and no stack trace', async (t) => {
  const cases: { name: string; files?: Record<string, string>; args: string[]; env?: Record<string, string>; message: RegExp }[] = [
    { name: 'bad --mount', args: ['--mount', 'nocolon', '--', 'true'], message: /Invalid mount format: 'nocolon' \(expected SRC:DST or SRC:DST:ro\)/ },
    {
      name: 'unset !env in sandbox.yaml',
      files: { '.airut/sandbox.yaml': 'env:\n  TOKEN: !env AIRUT_TEST_SURELY_UNSET\n' },
      args: ['--', 'true'],
      message: /sandbox\.yaml:2:10: env\.TOKEN: environment variable 'AIRUT_TEST_SURELY_UNSET' is not set/,
    },
    {
      name: 'no Dockerfile',
      files: { '.airut/container/Dockerfile.moved': '' },
      args: ['--dockerfile', 'nowhere/Dockerfile', '--', 'true'],
      message: /Dockerfile not found: .*nowhere\/Dockerfile\nHint: Create it/,
    },
    {
      name: 'invalid allowlist',
      files: { '.airut/network-allowlist.yaml': 'domains:\n  - .bad.example\nurl_prefix: []\n' },
      args: ['--', 'true'],
      message: /network-allowlist\.yaml is invalid \(2 problems\)/,
    },
    { name: 'no command after --', args: ['--'], message: /No command specified after --/ },
    { name: 'timeout below 10 s', args: ['--timeout', '5', '--', 'true'], message: /timeout 5 is invalid/ },
    { name: 'unknown flag', args: ['--no-such-flag', '--', 'true'], message: /Nonexistent flag: --no-such-flag/ },
  ];
  const fx = await execFixture(t);
  for (const c of cases) {
    for (const [name, text] of Object.entries(c.files ?? {})) await writeFile(join(fx.repo, name), text);
    const result = await fx.run([...sandboxed, ...c.args], { env: c.env ?? {} });
    t.equal(result.exitCode, 125, `${c.name}: exit code`);
    t.match(result.stderr, c.message, `${c.name}: message`);
    t.notMatch(result.stderr, /\n\s+at /, `${c.name}: no stack trace`);
    t.equal(result.stdout, '', `${c.name}: nothing on stdout`);
    await execFixtureReset(fx.repo);
  }
});

void t.test('prompt mode refuses bad input before building anything', async (t) => {
  const fx = await execFixture(t);
  const empty = await fx.run(['sandbox', 'exec', '   '], { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.equal(empty.exitCode, 1, 'an empty prompt exits 1');
  t.match(empty.stderr, /the prompt is empty/);
  const emptyStdin = await fx.run(['sandbox', 'exec', '-'], { input: '\n', env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.equal(emptyStdin.exitCode, 1);
  t.match(emptyStdin.stderr, /the prompt is empty/);

  const noKey = await fx.run(['sandbox', 'exec', 'say hi']);
  t.equal(noKey.exitCode, 125, 'no credentials exit 125');
  t.match(noKey.stderr, /neither ANTHROPIC_API_KEY nor CLAUDE_CODE_OAUTH_TOKEN is set/);
  t.notMatch(noKey.stderr, /preparing image/, 'it fails before any build');

  const elsewhere = await scratchDir(t, 'not-git');
  const notGit = await fx.run(['sandbox', 'exec', 'say hi'], { cwd: elsewhere, env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.equal(notGit.exitCode, 125);
  t.match(notGit.stderr, /is not inside a git repository\nHint: .*--repo DIR/);
});

/** Puts the fixture's .airut files back after a case overwrote one. */
async function execFixtureReset(repo: string): Promise<void> {
  for (const name of ['.airut/sandbox.yaml', '.airut/network-allowlist.yaml']) {
    await writeFile(join(repo, name), await readFile(join(BASIC_REPO, name)));
  }
}
