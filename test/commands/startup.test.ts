import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Plugin } from '@oclif/core';
import { execa } from 'execa';
import t, { type Test } from 'tap';
import { BIN } from '../harness/cli.js';
import { REPO_ROOT } from '../harness/repo-root.js';

// The package's real folder, as oclif records it.
const ROOT = REPO_ROOT;
const TRACE = join(import.meta.dirname, '..', 'harness', 'module-trace', 'register.js');

// What a start that only prints a version or help must never load: the
// channel clients, the terminal UI and the mail stack. Matched on the path of
// every module file the process resolved.
const HEAVY = /node_modules\/(@slack\/|imapflow\/|ink\/|react\/|react-reconciler\/|nodemailer\/|mailauth\/|mailparser\/|undici\/|ajv\/|@peculiar\/)/;

async function loadedModules(t: Test, args: string[]): Promise<{ files: string[]; stdout: string }> {
  const out = join(t.testdirName, `trace-${args.join('-').replace(/[^a-z-]/g, '')}.txt`);
  t.testdir({});
  const result = await execa(process.execPath, ['--import', TRACE, BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: t.testdirName, AIRUT_TRACE_MODULES: out },
    extendEnv: false,
    reject: false,
  });
  t.equal(result.exitCode, 0, `airut ${args.join(' ')}: ${result.stderr}`);
  const files = (await readFile(out, 'utf8')).split('\n').filter((line) => line !== '');
  await rm(out);
  return { files, stdout: result.stdout };
}

for (const args of [['--version'], ['--help'], ['sandbox', 'exec', '--help'], ['serve', '--help']]) {
  t.test(`airut ${args.join(' ')} loads no channel, UI or run machinery`, async (t) => {
    const { files, stdout } = await loadedModules(t, args);
    t.ok(stdout.length > 0, 'it printed something');
    // The trace itself must work, or an empty list would pass.
    t.ok(files.some((file) => file.includes('@oclif/core')), 'the trace saw oclif load');
    t.same(files.filter((file) => HEAVY.test(file)), [], 'no heavy module was loaded');
    // With the manifest, oclif needs no command class to print help or the version.
    t.same(files.filter((file) => file.includes('/dist/commands/')), [], 'no command file was loaded');
  });
}

t.test('a flag error in a command is reported before the command loads its machinery', async (t) => {
  const out = join(t.testdirName, 'trace.txt');
  t.testdir({});
  const result = await execa(process.execPath, ['--import', TRACE, BIN, 'serve', '--no-such-flag'], {
    env: { PATH: process.env.PATH ?? '', HOME: t.testdirName, AIRUT_TRACE_MODULES: out },
    extendEnv: false,
    reject: false,
  });
  t.not(result.exitCode, 0);
  t.match(result.stderr, /no-such-flag/);
  const files = (await readFile(out, 'utf8')).split('\n');
  t.same(files.filter((file) => HEAVY.test(file)), []);
});

t.test('the sandbox library loads its HTTP client and certificate library only when it downloads or makes a certificate', async (t) => {
  const out = join(t.testdirName, 'trace.txt');
  t.testdir({});
  const library = join(ROOT, 'dist', 'sandbox', 'index.js');
  const result = await execa(process.execPath, ['--import', TRACE, '--input-type=module', '-e', `const s = await import(${JSON.stringify(library)}); if (typeof s.NetworkSandbox !== 'function') process.exit(3);`], {
    env: { PATH: process.env.PATH ?? '', HOME: t.testdirName, AIRUT_TRACE_MODULES: out },
    extendEnv: false,
    reject: false,
  });
  t.equal(result.exitCode, 0, result.stderr);
  const files = (await readFile(out, 'utf8')).split('\n');
  t.ok(files.some((file) => file.includes('/dist/sandbox/network/')), 'the trace saw the library load');
  t.same(files.filter((file) => /node_modules\/(undici|@peculiar\/x509|reflect-metadata)\//.test(file)), [], 'neither undici nor @peculiar/x509 was loaded');
});

t.test('the shipped oclif manifest matches the built commands', async (t) => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { version: string; commands: Record<string, unknown> };
  const pjson = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; files: string[] };
  t.ok(pjson.files.includes('oclif.manifest.json'), 'package.json ships the manifest');
  t.equal(manifest.version, pjson.version);
  // Built fresh from dist/ the same way the build does; a manifest older than
  // a command (a flag added, a command removed) differs here.
  const plugin = new Plugin({ root: ROOT, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
  await plugin.load();
  t.same(JSON.parse(JSON.stringify(manifest.commands)), JSON.parse(JSON.stringify(plugin.manifest.commands)), 'npm run build regenerates it');
  const built = (await readdir(join(ROOT, 'dist', 'commands'), { recursive: true })).filter((name) => name.endsWith('.js'));
  t.equal(Object.keys(manifest.commands).length, built.length, 'one entry per built command');
});
