import { execa, type ResultPromise } from 'execa';
import { AirutError } from '../error.js';

/** Which container engine a runtime drives. */
export type RuntimeKind = 'podman' | 'docker';

/** How to reach the container engine. */
export interface RuntimeOptions {
  /** Executable to run: `podman` (default), `docker`, or an absolute path. */
  command?: string;
  /** Extra environment for every engine call, e.g. `{ CONTAINERS_CONF: '/path' }`. */
  env?: Record<string, string>;
}

/** What one engine call produced. */
export interface RuntimeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options for one engine call. */
export interface RuntimeCallOptions {
  /** Text written to the engine's stdin. */
  input?: string;
  /** Kill the call after this many milliseconds. */
  timeoutMs?: number;
  /** Abort the call (SIGTERM) when this signal fires. */
  signal?: AbortSignal;
}

/** Options for a streamed engine call. */
export interface RuntimeSpawnOptions {
  /** `pipe` to write to the engine's stdin; `ignore` (default) gives it /dev/null. */
  stdin?: 'pipe' | 'ignore';
  /** Extra environment for this call only, on top of the runtime's. */
  env?: Record<string, string>;
}

/** The engine could not be started or an engine call failed. */
export class ContainerRuntimeError extends AirutError {
  /** The argv of the failed call (engine command first). */
  readonly argv: readonly string[];
  /** The engine's stderr, trimmed. */
  readonly stderr: string;

  constructor(code: string, message: string, argv: readonly string[], stderr: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.argv = argv;
    this.stderr = stderr;
  }
}

/**
 * The only place in Airut that spawns podman or docker. Every call is an argv
 * array (never a shell string) run through execa with the configured extra env.
 */
export class ContainerRuntime {
  /** The executable, as configured. */
  readonly command: string;
  /** Extra environment passed to every call. */
  readonly env: Readonly<Record<string, string>>;

  constructor(options: RuntimeOptions = {}) {
    this.command = options.command ?? 'podman';
    this.env = { ...(options.env ?? {}) };
  }

  /** `podman` or `docker`, judged from the executable's name. */
  get kind(): RuntimeKind {
    return /docker[^/]*$/.test(this.command) ? 'docker' : 'podman';
  }

  /** Runs the engine with `args` and returns its output whatever the exit code. */
  async call(args: readonly string[], options: RuntimeCallOptions = {}): Promise<RuntimeResult> {
    try {
      const result = await execa(this.command, args, {
        env: this.env,
        input: options.input,
        timeout: options.timeoutMs,
        cancelSignal: options.signal,
        reject: false,
        stripFinalNewline: true,
      });
      // With reject: false a failed call is an error instance; without an
      // exit code the engine never ran (or was killed): not a result.
      if (result.failed && result.exitCode === undefined && result instanceof Error) {
        throw result;
      }
      return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
    } catch (error) {
      throw this.startError(args, error);
    }
  }

  /** Runs the engine with `args`; a non-zero exit throws a {@link ContainerRuntimeError}. */
  async run(args: readonly string[], options: RuntimeCallOptions = {}): Promise<RuntimeResult> {
    const result = await this.call(args, options);
    if (result.exitCode !== 0) {
      throw new ContainerRuntimeError(
        'RUNTIME_CALL_FAILED',
        `${this.command} ${args[0] ?? ''} exited with ${result.exitCode}: ${firstLine(result.stderr) || '(no message)'}`,
        [this.command, ...args],
        result.stderr.trim(),
      );
    }
    return result;
  }

  /**
   * Removes containers at once, running or not, without the stop timeout
   * (podman's `rm -f` would otherwise wait 10 s for a process ignoring
   * SIGTERM; docker's `rm -f` kills straight away and has no `-t`).
   * Missing containers are not an error for the caller to handle: the result
   * is returned whatever the exit code.
   */
  async removeContainers(names: readonly string[]): Promise<RuntimeResult> {
    const args = this.kind === 'docker' ? ['rm', '-f', ...names] : ['rm', '-f', '-t', '0', ...names];
    return this.call(args);
  }

  /**
   * Starts the engine with `args` and returns the running subprocess, for calls
   * whose output is streamed (container runs, image builds). The caller owns it.
   */
  spawn(args: readonly string[], options: RuntimeSpawnOptions = {}): ResultPromise<{ reject: false; buffer: false; stdin: 'pipe' | 'ignore'; encoding: 'buffer' }> {
    return execa(this.command, args, {
      // Values passed here let `-e NAME` (no value) forward a variable into the
      // container without putting the value on the command line, where any
      // local user could read it in /proc.
      env: { ...this.env, ...(options.env ?? {}) },
      reject: false,
      buffer: false,
      stdin: options.stdin ?? 'ignore',
      encoding: 'buffer',
    });
  }

  private startError(args: readonly string[], error: unknown): ContainerRuntimeError {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      return new ContainerRuntimeError(
        'RUNTIME_NOT_FOUND',
        `container runtime "${this.command}" was not found on PATH`,
        [this.command, ...args],
        '',
        { hint: 'Install podman (apt-get install -y podman runc) or set execution.container_command to docker.', cause: error },
      );
    }
    return new ContainerRuntimeError(
      'RUNTIME_START_FAILED',
      `could not run "${this.command} ${args[0] ?? ''}": ${(error as Error).message}`,
      [this.command, ...args],
      '',
      { cause: error },
    );
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
}
