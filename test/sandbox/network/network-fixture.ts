import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ContainerRuntime } from '../../../src/sandbox/runtime/index.js';
import { TEST_BASE_IMAGE } from '../../harness/podman.js';

/** A resource prefix no other test run shares. */
export function uniquePrefix(): string {
  return `airut-test-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** A temp directory removed when the test ends. */
export async function tempDir(t: Test, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `airut-test-${label}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * An `--internal` network standing in for the egress side: nothing on it can
 * leave the machine, and only the test's fake upstreams live there.
 */
export async function testEgressNetwork(t: Test, runtime: ContainerRuntime, prefix: string): Promise<string> {
  const name = `${prefix}-test-egress`;
  await runtime.run(['network', 'create', '--internal', '--disable-dns', name]);
  t.teardown(async () => { await runtime.call(['network', 'rm', '-f', name]); });
  return name;
}

/** Names of containers and networks still around whose name starts with `prefix`. */
export async function leftovers(runtime: ContainerRuntime, prefix: string): Promise<string[]> {
  const containers = (await runtime.run(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n');
  const networks = (await runtime.run(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n');
  return [...containers, ...networks].filter((name) => name.startsWith(prefix) && !name.endsWith('-test-egress'));
}

/** Runs `script` with sh in a throw-away task container joined with `args` and `env`. */
export async function runInTask(
  runtime: ContainerRuntime,
  attachment: { containerArgs: string[]; env: Record<string, string> },
  script: string,
  extraArgs: string[] = [],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const envArgs = Object.entries(attachment.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return runtime.call([
    'run', '--rm', '--pull=never',
    // What a task container gets: every capability dropped but a few, none for raw sockets.
    '--cap-drop', 'ALL', '--cap-add', 'CHOWN,DAC_OVERRIDE,FOWNER,SETUID,SETGID',
    '--security-opt', 'no-new-privileges',
    ...attachment.containerArgs, ...envArgs, ...extraArgs,
    TEST_BASE_IMAGE, 'sh', '-c', script,
  ], { timeoutMs: 120_000 });
}
