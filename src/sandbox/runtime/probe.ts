import { randomBytes } from 'node:crypto';
import { ContainerRuntimeError, type ContainerRuntime } from './container-runtime.js';
import { PROBE_ENTRY, PROBE_OUTPUT, isProbeArch, probeImageTar } from './probe-image.js';

/** Options for {@link probeContainerStart}. */
export interface ProbeOptions {
  /** CPU architecture of the engine's host; defaults to this process's. */
  arch?: string;
  /** Give up on the container run after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Suffix for the throw-away image and container names; random by default. */
  id?: string;
}

/** Which step of the probe failed. */
export type ProbeStage = 'import' | 'run';

/** What {@link probeContainerStart} found out. */
export type ProbeResult =
  | { ok: true; image: string }
  | { ok: false; stage: ProbeStage; exitCode: number; stderr: string; stdout: string; image: string };

/**
 * Proves that the engine can really start a container: imports a one-file image
 * (a tiny static program, see probe-image.ts) from stdin, runs it with no network
 * and `--pull never`, and removes the container and image again. Nothing is
 * pulled from a registry and no host path is mounted into the container.
 *
 * Failures of the engine itself (a container that cannot start, e.g. because the
 * OCI runtime rejects the host's cgroups or ulimits) are returned as a result
 * with the engine's stderr, so callers can diagnose them; a missing executable
 * throws {@link ContainerRuntimeError} like every other runtime call.
 */
export async function probeContainerStart(runtime: ContainerRuntime, options: ProbeOptions = {}): Promise<ProbeResult> {
  const arch = options.arch ?? process.arch;
  if (!isProbeArch(arch)) {
    throw new ContainerRuntimeError(
      'RUNTIME_PROBE_UNSUPPORTED_ARCH',
      `no probe program for CPU architecture "${arch}"`,
      [runtime.command],
      '',
      { hint: 'The container start probe supports x64 and arm64 hosts.' },
    );
  }
  const id = options.id ?? randomBytes(6).toString('hex');
  const image = `localhost/airut-probe:${id}`;
  const name = `airut-probe-${id}`;
  try {
    const imported = await importFromStdin(runtime, image, probeImageTar(arch));
    if (imported.exitCode !== 0) {
      return { ok: false, stage: 'import', image, ...imported };
    }
    const run = await runtime.call(
      ['run', '--rm', '--name', name, '--network', 'none', '--pull', 'never', image, PROBE_ENTRY],
      { timeoutMs: options.timeoutMs ?? 60_000 },
    );
    if (run.exitCode !== 0 || !run.stdout.includes(PROBE_OUTPUT)) {
      return { ok: false, stage: 'run', image, ...run };
    }
    return { ok: true, image };
  } finally {
    await removeQuietly(runtime, ['rm', '-f', name]);
    await removeQuietly(runtime, ['rmi', '-f', image]);
  }
}

async function importFromStdin(runtime: ContainerRuntime, image: string, tarball: Buffer): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const child = runtime.spawn(['import', '-', image], { stdin: 'pipe' });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin?.end(tarball);
  const result = await child;
  if (result.failed && result.exitCode === undefined) {
    const code = (result as { code?: string }).code;
    throw new ContainerRuntimeError(
      code === 'ENOENT' ? 'RUNTIME_NOT_FOUND' : 'RUNTIME_START_FAILED',
      `could not run "${runtime.command} import": ${result.shortMessage}`,
      [runtime.command, 'import', '-', image],
      '',
      { cause: result },
    );
  }
  return {
    exitCode: result.exitCode ?? 1,
    stdout: Buffer.concat(stdout).toString('utf8').trim(),
    stderr: Buffer.concat(stderr).toString('utf8').trim(),
  };
}

async function removeQuietly(runtime: ContainerRuntime, args: string[]): Promise<void> {
  try {
    await runtime.call(args, { timeoutMs: 30_000 });
  } catch {
    // Cleanup after a probe whose engine cannot even be started: nothing was created.
  }
}
