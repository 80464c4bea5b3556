import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerRuntime, ProcessProbe } from '../runtime/index.js';
import { isProcessAlive, prefixFilter } from '../runtime/index.js';
import { BuildLock } from './build-lock.js';
import { assertFlatContextNames, type ContextFiles } from './context-files.js';
import { imageContentHash } from './content-hash.js';
import { ENTRYPOINT_FILE_NAME, entrypointScript, overlayDockerfile } from './entrypoint.js';
import { ImageBuildError } from './error.js';
import { abortedError, buildImage, throwIfAborted } from './image-build.js';
import { parseImageCreated } from './image-created.js';

/** Options of {@link ImageCache}. */
export interface ImageCacheOptions {
  runtime: ContainerRuntime;
  /** Resource prefix: tags are `<prefix>-repo:<hash>` and `<prefix>-overlay:<hash>`. */
  prefix: string;
  /** Directory for the cross-process build lock file. */
  lockDir: string;
  /** Rebuild images older than this many hours; 0 rebuilds on every call. Default 24. */
  maxImageAgeHours?: number;
  /** `--network` for build steps (tests pass `none`); default: the engine's. */
  buildNetwork?: string;
  /** Where temporary build contexts go. Default: the OS temp dir. */
  tmpDir?: string;
  /** Current time in ms since the epoch. */
  now?: () => number;
  /** Liveness check for stale lock files. */
  isAlive?: ProcessProbe;
}

/** Why a layer is being built. */
export type BuildReason = 'missing' | 'stale' | 'forced' | 'older-than-base';

/** Announces a build about to start (the TUI shows it). */
export interface BuildStart {
  tag: string;
  layer: 'repo' | 'overlay';
  reason: BuildReason;
}

/** Options of {@link ImageCache.ensureImage}. */
export interface EnsureImageOptions {
  /** Build the overlay that runs the given command instead of Claude Code (for command tasks). */
  passthrough?: boolean;
  /** Rebuild both layers whatever their age. */
  force?: boolean;
  /** Each line of build output, without its newline. */
  onBuildOutput?: (line: string) => void;
  /** Called before each layer build. */
  onBuildStart?: (build: BuildStart) => void;
  /**
   * Stops the call: waiting for the build lock ends, a running build is
   * killed (its RUN step, then podman) and its context removed, and the call
   * rejects with `IMAGE_BUILD_ABORTED` once nothing of it runs any more.
   */
  signal?: AbortSignal;
}

interface Layer {
  tag: string;
  layer: 'repo' | 'overlay';
  dockerfile: string | Uint8Array;
  files: ContextFiles;
}

/**
 * Two-layer image cache. The repository layer is built from the repo's
 * Dockerfile and flat context files; the overlay adds Airut's entrypoint.
 * Tags are content hashes, so equal inputs share images; age is judged from
 * the engine's own `Created` time, so it survives restarts and is shared by
 * every process using the same engine.
 */
export class ImageCache {
  private readonly options: Required<Omit<ImageCacheOptions, 'buildNetwork'>> & { buildNetwork?: string };
  private readonly lock: BuildLock;

  constructor(options: ImageCacheOptions) {
    this.options = {
      ...options,
      maxImageAgeHours: options.maxImageAgeHours ?? 24,
      tmpDir: options.tmpDir ?? tmpdir(),
      now: options.now ?? Date.now,
      isAlive: options.isAlive ?? isProcessAlive,
    };
    if (!Number.isFinite(this.options.maxImageAgeHours) || this.options.maxImageAgeHours < 0) {
      throw new ImageBuildError('IMAGE_MAX_AGE_INVALID', `maximum image age ${String(options.maxImageAgeHours)} is not a number of hours >= 0`, {
        hint: 'Use 24 (the default), any positive number of hours, or 0 to rebuild on every run.',
      });
    }
    this.lock = new BuildLock({ path: join(this.options.lockDir, `${options.prefix}-image-build.lock`), isAlive: this.options.isAlive });
  }

  /**
   * Returns the tag of an up-to-date overlay image for this Dockerfile and
   * context, building what is missing or stale. Concurrent callers (in this or
   * other processes) wait for one another, so an image is built once.
   */
  async ensureImage(dockerfile: string | Uint8Array, contextFiles: ContextFiles, options: EnsureImageOptions = {}): Promise<string> {
    if (dockerfile.length === 0) {
      throw new ImageBuildError('IMAGE_DOCKERFILE_MISSING', 'the Dockerfile is empty', {
        hint: 'Put a Dockerfile (FROM ... and the tools the task needs) in the repository\'s .airut/container/ directory.',
      });
    }
    assertFlatContextNames(contextFiles);
    const { prefix } = this.options;
    const repo: Layer = { layer: 'repo', tag: `${prefix}-repo:${imageContentHash(dockerfile, contextFiles)}`, dockerfile, files: contextFiles };
    const overlayFiles = { [ENTRYPOINT_FILE_NAME]: entrypointScript(options.passthrough ? 'passthrough' : 'agent') };
    const overlayFile = overlayDockerfile(repo.tag);
    const overlay: Layer = { layer: 'overlay', tag: `${prefix}-overlay:${imageContentHash(overlayFile, overlayFiles)}`, dockerfile: overlayFile, files: overlayFiles };

    const { signal } = options;
    throwIfAborted(signal, overlay.tag);
    // Fast path without the lock: one engine call when both layers are fresh.
    if (!options.force && (await this.bothFresh(repo.tag, overlay.tag))) return overlay.tag;

    throwIfAborted(signal, overlay.tag);
    return this.lock.withLock(async () => {
      const repoCreated = await this.ensureLayer(repo, undefined, options);
      await this.ensureLayer(overlay, repoCreated, options);
      return overlay.tag;
    }, signal === undefined ? undefined : { signal, onAbort: () => abortedError(signal, overlay.tag) });
  }

  /**
   * Removes this prefix's images older than the age limit (and its dangling
   * ones, left by rebuilds); images in use by a container are kept, and
   * nobody else's images are touched, dangling or not (a global prune would
   * also pull layers from under a build running elsewhere). Returns how many
   * tags were removed. Does nothing when the limit is 0.
   */
  async pruneImages(): Promise<number> {
    if (this.options.maxImageAgeHours === 0) return 0;
    const { runtime } = this.options;
    await runtime.call(['image', 'prune', '-f', '--filter', prefixFilter(this.options.prefix)]);
    const listing = await runtime.run(['images', '--filter', prefixFilter(this.options.prefix), '--format', '{{.Repository}}:{{.Tag}}']);
    let removed = 0;
    for (const tag of new Set(listing.stdout.split('\n').map((line) => line.trim()).filter((line) => line && !line.endsWith(':<none>')))) {
      const created = await this.created(tag);
      if (created !== undefined && !this.isStale(created)) continue;
      if ((await runtime.call(['rmi', tag])).exitCode === 0) removed += 1;
    }
    return removed;
  }

  private async ensureLayer(layer: Layer, baseCreated: number | undefined, options: EnsureImageOptions): Promise<number> {
    const created = await this.created(layer.tag);
    const reason = this.buildReason(created, baseCreated, options.force === true);
    if (reason === undefined && created !== undefined) return created;
    options.onBuildStart?.({ tag: layer.tag, layer: layer.layer, reason: reason ?? 'missing' });
    await buildImage(this.options.runtime, {
      tag: layer.tag,
      dockerfile: layer.dockerfile,
      files: layer.files,
      // A missing image may reuse cached build steps; a stale or forced one
      // must not, or the rebuild would change nothing.
      noCache: reason !== 'missing',
      network: this.options.buildNetwork,
      prefix: this.options.prefix,
      tmpDir: this.options.tmpDir,
      onOutput: options.onBuildOutput,
      signal: options.signal,
    });
    const built = await this.created(layer.tag);
    if (built === undefined) {
      throw new ImageBuildError('IMAGE_BUILD_FAILED', `image ${layer.tag} is missing right after it was built`, {
        hint: 'Another process may have removed it; run again.',
      });
    }
    return built;
  }

  private buildReason(created: number | undefined, baseCreated: number | undefined, force: boolean): BuildReason | undefined {
    if (created === undefined) return 'missing';
    if (force || this.options.maxImageAgeHours === 0) return 'forced';
    if (this.isStale(created)) return 'stale';
    // The overlay must be newer than the repo layer it was built FROM;
    // otherwise a rebuilt repo layer would never reach the tasks.
    if (baseCreated !== undefined && created < baseCreated) return 'older-than-base';
    return undefined;
  }

  private isStale(created: number): boolean {
    return this.options.now() - created > this.options.maxImageAgeHours * 3_600_000;
  }

  private async bothFresh(repoTag: string, overlayTag: string): Promise<boolean> {
    if (this.options.maxImageAgeHours === 0) return false;
    const result = await this.options.runtime.call(['image', 'inspect', '--format', '{{.Created}}', repoTag, overlayTag]);
    if (result.exitCode !== 0) return false;
    const [repo, overlay] = result.stdout.split('\n').map((line) => parseImageCreated(line)?.getTime());
    return repo !== undefined && overlay !== undefined && this.buildReason(repo, undefined, false) === undefined
      && this.buildReason(overlay, repo, false) === undefined;
  }

  /** The image's creation time in ms, or undefined when it is missing or unreadable. */
  private async created(tag: string): Promise<number | undefined> {
    const result = await this.options.runtime.call(['image', 'inspect', '--format', '{{.Created}}', tag]);
    if (result.exitCode !== 0) return undefined;
    return parseImageCreated(result.stdout)?.getTime();
  }
}
