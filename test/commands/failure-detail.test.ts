import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { airut, tempHome } from '../harness/cli.js';

// The one exit-code policy at the CLI edge, through the real CLI: the error
// and its hint by default, the cause chain with --verbose, stacks with --debug,
// and flag errors that name the command's help.

async function home(t: Test): Promise<{ env: Record<string, string>; dir: string }> {
  const h = await tempHome();
  t.teardown(h.cleanup);
  // A directory where the config file should be: reading it fails with EISDIR, the cause.
  const dir = join(h.home, 'airut.yaml');
  await mkdir(dir);
  return { env: h.env, dir };
}

void t.test('an Airut error: message and hint only, unless --verbose or --debug', async (t) => {
  const { env, dir } = await home(t);
  const plain = await airut(['serve', '--config', dir], env);
  t.equal(plain.exitCode, 1, plain.stderr);
  t.match(plain.stderr, `Error: Cannot read the configuration ${dir}: it is a directory\nHint: `);
  t.notMatch(plain.stderr, 'Caused by');
  t.notMatch(plain.stderr, /^\s+at /m);

  const verbose = await airut(['serve', '--config', dir, '--verbose'], env);
  t.equal(verbose.exitCode, 1, 'the detail does not change the exit code');
  t.match(verbose.stderr, /\nCaused by: Error \[EISDIR\]: EISDIR: illegal operation on a directory/);
  t.notMatch(verbose.stderr, /^\s+at /m, '--verbose shows no stacks');

  const debug = await airut(['serve', '--debug', '--config', dir], env);
  t.equal(debug.exitCode, 1);
  t.match(debug.stderr, /Caused by: Error \[EISDIR\]/);
  t.match(debug.stderr, /^ {2}at .*load\.[jt]s/m, 'the error\'s own stack, from the config loader');
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
