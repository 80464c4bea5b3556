import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntime } from '../runtime/index.js';
import { labelArgs, LineSplitter } from '../runtime/index.js';
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
}

const LOG_TAIL_LINES = 40;

/**
 * Builds one image from a fresh temporary context holding only the given
 * files. Output is streamed line by line; a failure throws with the log tail.
 */
export async function buildImage(runtime: ContainerRuntime, request: BuildRequest): Promise<void> {
  const dir = await mkdtemp(join(request.tmpDir, 'airut-build-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), request.dockerfile);
    for (const [name, content] of Object.entries(request.files)) {
      await writeFile(join(dir, name), content);
    }
    const args = ['build', '-t', request.tag, '-f', join(dir, 'Dockerfile'), ...labelArgs({ prefix: request.prefix })];
    if (request.noCache) args.push('--no-cache');
    if (request.network !== undefined) args.push('--network', request.network);
    args.push(dir);

    const tail: string[] = [];
    const onLine = (line: string): void => {
      const text = line.replace(/\r?\n$/, '');
      tail.push(text);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      request.onOutput?.(text);
    };
    const child = runtime.spawn(args);
    const pump = async (stream: AsyncIterable<unknown> | null): Promise<void> => {
      if (!stream) return;
      const splitter = new LineSplitter();
      for await (const chunk of stream) splitter.push(chunk as Uint8Array).forEach(onLine);
      splitter.end().forEach(onLine);
    };
    const [result] = await Promise.all([child, pump(child.stdout), pump(child.stderr)]);
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
