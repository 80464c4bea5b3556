import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import type { ContainerRuntime } from '../runtime/index.js';
import { labelArgs, LineSplitter } from '../runtime/index.js';
import { killBuildSteps } from './build-steps.js';
import type { ContextFiles } from './context-files.js';
import { ImageBuildError } from './error.js';

/** One `podman build` to run. */
export interface BuildRequest {
  tag: string;
  dockerfile: string | Uint8Array;
  files: ContextFiles;
  noCache: boolean;
  /** `--network` for RUN steps; undefined keeps the engine's default. */
  network?: string;
  prefix: string;
  tmpDir: string;
  onOutput?: (line: string) => void;
  /** Aborts the build: see {@link buildImage}. */
  signal?: AbortSignal;
}

const LOG_TAIL_LINES = 40;
/** How often an aborted build looks for RUN steps to kill until podman exits. */
const ABORT_POLL_MS = 200;
/** How long an aborted build may take to exit before podman is sent SIGTERM, then as long again before SIGKILL. */
const ABORT_GRACE_MS = 10_000;

/**
 * Builds one image from a fresh temporary context holding only the given
 * files. Output is streamed line by line; a failure throws with the log tail.
 *
 * When `signal` aborts, the running RUN step is killed so that podman fails
 * the build and removes its working container itself (see
 * {@link killBuildSteps}); a build busy elsewhere (pulling, committing) is
 * sent SIGTERM after a grace period. The build context is removed and the
 * call rejects with `IMAGE_BUILD_ABORTED` once podman has exited. A build that
 * fails never tags its image; one that finished despite the abort leaves a
 * complete image.
 */
export async function buildImage(runtime: ContainerRuntime, request: BuildRequest): Promise<void> {
  throwIfAborted(request.signal, request.tag);
  const dir = await mkdtemp(join(request.tmpDir, 'airut-build-'));
  try {
    const context = join(dir, 'context');
    // The build's own TMPDIR: where buildah puts its RUN step bundles, so an abort finds this build's steps only.
    const buildTmp = join(dir, 'tmp');
    await mkdir(context);
    await mkdir(buildTmp);
    await writeFile(join(context, 'Dockerfile'), request.dockerfile);
    for (const [name, content] of Object.entries(request.files)) {
      await writeFile(join(context, name), content);
    }
    const args = ['build', '-t', request.tag, '-f', join(context, 'Dockerfile'), ...labelArgs({ prefix: request.prefix })];
    if (request.noCache) args.push('--no-cache');
    if (request.network !== undefined) args.push('--network', request.network);
    args.push(context);

    const tail: string[] = [];
    const onLine = (line: string): void => {
      const text = line.replace(/\r?\n$/, '');
      tail.push(text);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      request.onOutput?.(text);
    };
    throwIfAborted(request.signal, request.tag);
    const child = runtime.spawn(args, { env: { TMPDIR: buildTmp } });
    let exited = false;
    const stopOnAbort = (): void => {
      void (async () => {
        for (let waited = 0; !exited; waited += ABORT_POLL_MS) {
          await killBuildSteps(buildTmp);
          if (waited === ABORT_GRACE_MS) child.kill('SIGTERM');
          if (waited === 2 * ABORT_GRACE_MS) child.kill('SIGKILL');
          await delay(ABORT_POLL_MS);
        }
      })();
    };
    request.signal?.addEventListener('abort', stopOnAbort, { once: true });
    const pump = async (stream: AsyncIterable<unknown> | null): Promise<void> => {
      if (!stream) return;
      const splitter = new LineSplitter();
      for await (const chunk of stream) splitter.push(chunk as Uint8Array).forEach(onLine);
      splitter.end().forEach(onLine);
    };
    let result;
    try {
      [result] = await Promise.all([child, pump(child.stdout), pump(child.stderr)]);
    } finally {
      exited = true;
      request.signal?.removeEventListener('abort', stopOnAbort);
    }
    throwIfAborted(request.signal, request.tag);
    if (result.exitCode !== 0) {
      const how = result.exitCode === undefined ? `could not run ${runtime.command}: ${result.message}` : `exit ${result.exitCode}`;
      throw new ImageBuildError('IMAGE_BUILD_FAILED', `building image ${request.tag} failed (${how})`, {
        hint: `Last lines of the build:\n${tail.join('\n')}`,
        logTail: tail.join('\n'),
        cause: result.cause,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * @throws ImageBuildError `IMAGE_BUILD_ABORTED` when `signal` has aborted.
 */
export function throwIfAborted(signal: AbortSignal | undefined, tag: string): void {
  if (signal?.aborted === true) throw abortedError(signal, tag);
}

/** The `IMAGE_BUILD_ABORTED` error for preparing `tag`, stopped by `signal`. */
export function abortedError(signal: AbortSignal, tag: string): ImageBuildError {
  return new ImageBuildError('IMAGE_BUILD_ABORTED', `preparing image ${tag} was stopped before it finished`, {
    hint: 'The run was stopped while its image was being prepared; nothing was tagged. Run again to build it.',
    cause: signal.reason,
  });
}
