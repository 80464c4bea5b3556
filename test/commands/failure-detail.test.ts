import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { airut, tempHome } from '../harness/cli.js';

// The one exit-code policy at the CLI edge, through the real CLI: the error
// and its hint by default, the cause chain with --verbose, stacks with --debug,
// and flag errors that name the command's help. The failing runs stop at
// reading .airut/sandbox.yaml, before any container work.

async function home(t: Test): Promise<{ env: Record<string, string>; repo: string }> {
  const h = await tempHome();
  t.teardown(h.cleanup);
  // A repository whose .airut/sandbox.yaml is a directory: reading it fails with EISDIR, the cause.
  const repo = join(h.home, 'repo');
  await mkdir(join(repo, '.airut', 'sandbox.yaml'), { recursive: true });
  await mkdir(join(repo, '.airut', 'container'));
  await writeFile(join(repo, '.airut', 'container', 'Dockerfile'), 'FROM scratch\n');
  await execa('git', ['init', '-q', repo]);
  return { env: h.env, repo };
}

void t.test('an Airut error: message and hint only, unless --verbose or --debug', async (t) => {
  const { env, repo } = await home(t);
  const exec = (...flags: string[]) => airut(['sandbox', 'exec', '--repo', repo, ...flags, '--', 'true'], env);
  const plain = await exec();
  t.equal(plain.exitCode, 125, plain.stderr);
  t.match(plain.stderr, /^Error: cannot read .*sandbox\.yaml: EISDIR[^\n]*\nHint: /);
  t.notMatch(plain.stderr, 'Caused by');
  t.notMatch(plain.stderr, /^\s+at /m);

  const verbose = await exec('--verbose');
  t.equal(verbose.exitCode, 125, 'the detail does not change the exit code');
  t.match(verbose.stderr, /\nCaused by: Error \[EISDIR\]: EISDIR: illegal operation on a directory/);
  t.notMatch(verbose.stderr, /^\s+at /m, '--verbose shows no stacks');

  const debug = await exec('--debug');
  t.equal(debug.exitCode, 125);
  t.match(debug.stderr, /Caused by: Error \[EISDIR\]/);
  t.match(debug.stderr, /^Error: cannot read [^\n]*\n(?:.*\n)*? {2}at /m, 'the error\'s own stack');

  const after = await airut(['sandbox', 'exec', '--repo', repo, '--', 'echo', '--verbose'], env);
  t.notMatch(after.stderr, 'Caused by', 'a --verbose after -- belongs to the command in the sandbox');
});

void t.test('flag errors name the help of the command; the sandbox commands exit 125 for them', async (t) => {
  const { env } = await home(t);
  const check = await airut(['check', '--bogus'], env);
  t.equal(check.exitCode, 2, check.stderr);
  t.match(check.stderr, /Error: Nonexistent flag: --bogus[\s\S]*\nHint: see airut check --help$/);
  const exec = await airut(['sandbox', 'exec', '--bogus'], env);
  t.equal(exec.exitCode, 125, exec.stderr);
  t.match(exec.stderr, /\nHint: see airut sandbox exec --help$/);
  const run = await airut(['run', '--timeout', 'soon'], env);
  t.equal(run.exitCode, 125, run.stderr);
  t.match(run.stderr, /\nHint: see airut run --help$/);
});

void t.test('an empty prompt keeps its own exit code (1) under the sandbox commands\' 125 policy', async (t) => {
  const { env } = await home(t);
  const result = await airut(['sandbox', 'exec', '-', '--verbose'], env, { input: '' });
  t.equal(result.exitCode, 1, result.stderr);
  t.match(result.stderr, /^Error: /);
});

void t.test('every command takes --verbose and --debug and documents them in --help', async (t) => {
  const { env } = await home(t);
  for (const command of [['check'], ['install-service'], ['run'], ['serve'], ['update'], ['sandbox', 'exec'], ['uninstall-service']]) {
    const help = await airut([...command, '--help'], env);
    t.equal(help.exitCode, 0, `${command.join(' ')} --help`);
    t.match(help.stdout, /GLOBAL FLAGS[\s\S]*--debug\s+Like --verbose, with the stack/, `${command.join(' ')} documents --debug`);
    t.match(help.stdout, /--verbose\s+On failure, also print the chain of causes/, `${command.join(' ')} documents --verbose`);
  }
});
