import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { ClaudeBinaryError, downloadAbortedError } from './error.js';
import { diskError } from './disk-error.js';
import { downloadBinary, type ProgressCallback } from './download-tarball.js';
import { acquireFileLock, tryFileLock, type FileLockOptions } from '../../lock/file-lock.js';
import { installFile, removeStaleTempFiles } from './install-file.js';
import { resolveNpmRegistry, type NpmRegistry } from './npm-registry.js';
import { CLAUDE_CODE_PACKAGE, channelVersion, fetchPackument, missingPlatformBuildError, pickVersion, type Packument } from './packument.js';
import { detectPlatform, type ClaudePlatform, type Libc } from './platform.js';
import { ResolutionStore, type Resolution } from './resolution-store.js';
import { compareVersions, isChannel, isExactVersion, validateVersionRequest, type ClaudeChannel, type ClaudeVersionRequest } from './version.js';

/** How to build a {@link ClaudeBinaryCache}. Everything but `cacheDir` has a production default. */
export interface ClaudeBinaryCacheOptions {
  /** Root of the cache, e.g. from {@link defaultClaudeCacheDir}. */
  cacheDir: string;
  /** Registry base URL; by default the one the user's npm is configured with. */
  registryUrl?: string;
  /** Environment for npm settings (`npm_config_registry`, `${VAR}` in .npmrc). Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home directory holding `.npmrc`. Default: `os.homedir()`. */
  homedir?: string;
  /** Where npm would run, for the project `.npmrc` (see {@link resolveNpmRegistry}). Default: `process.cwd()`. */
  cwd?: string;
  /** The node binary whose prefix holds npm's global config. Default: `process.execPath`. */
  execPath?: string;
  /** Host facts that choose the platform package; detected when omitted. */
  platform?: string;
  arch?: string;
  libc?: Libc;
  /** undici dispatcher for every request (e.g. a ProxyAgent). Default: undici's global one. */
  dispatcher?: Dispatcher;
  /** Milliseconds since the epoch. Default: `Date.now`. */
  clock?: () => number;
  /** Waits between lock polls and download retries. */
  sleep?: (ms: number) => Promise<void>;
  /** How long a `latest`/`stable` resolution is trusted without asking the registry. Default: 1 h. */
  resolutionTtlMs?: number;
  /** Download attempts when the connection breaks off. Default: 3. */
  downloadAttempts?: number;
  /** Pause before download attempt n+1 is n times this. Default: 2 s. */
  retryDelayMs?: number;
  /** A lock untouched this long is taken over. Default: 10 min. */
  lockStaleMs?: number;
  /** Give up waiting for another process's download after this long. Default: 1 h. */
  lockWaitMs?: number;
}

/** A usable binary on this host. */
export interface ClaudeBinary {
  /** The exact version, e.g. `2.1.332`. */
  readonly version: string;
  /** Absolute path of the executable. */
  readonly path: string;
}

/** What {@link ClaudeBinaryCache.ensure} produced. */
export interface EnsureResult extends ClaudeBinary {
  /** True when this call downloaded the binary (false when it was cached or another caller did). */
  readonly downloaded: boolean;
  /** Things the user should know, e.g. a fallback to an older resolution; never printed here. */
  readonly warnings: readonly string[];
}

/** Options of one {@link ClaudeBinaryCache.ensure} call. */
export interface EnsureOptions {
  /**
   * Called as the tarball arrives, with the bytes so far. Every caller waiting
   * for a download gets it, the one that started it and those that joined it
   * later alike, until it leaves (aborts).
   */
  onProgress?: ProgressCallback;
  /**
   * Stops waiting: the call rejects with `CLAUDE_BIN_ABORTED`. A download
   * stops (its temp file removed) once every caller waiting for it has
   * aborted; one that another caller still waits for goes on.
   */
  signal?: AbortSignal;
  /** What {@link ClaudeBinaryCache.resolve} said for this request: not asked again. */
  resolution?: VersionResolution;
}

/** What a version request stands for, from {@link ClaudeBinaryCache.resolve}. */
export interface VersionResolution {
  readonly request: ClaudeVersionRequest;
  /** The exact version. */
  readonly version: string;
  /** The binary of `version` was in the cache when resolved. */
  readonly cached: boolean;
  /** The registry was asked (so a channel's answer is worth remembering once the binary is here). */
  readonly fromRegistry: boolean;
  /** Things the user should know, e.g. a fallback to an older resolution. */
  readonly warnings: readonly string[];
  /** The platform package's document, when it was fetched; the download reuses it. */
  readonly packument?: Packument;
  /** A channel's earlier resolution, still cached, to fall back to if the download breaks off. */
  readonly fallback?: Resolution;
}

/** A download in flight, shared by the callers waiting for it. */
interface Install {
  work: Promise<boolean>;
  /** Callers that may still abort; a caller without a signal never does, so it counts for ever. */
  waiters: number;
  controller: AbortController;
  /** The progress callbacks of the callers still waiting. */
  listeners: Set<ProgressCallback>;
}

// Inside the npm package the binary sits at this path.
const ENTRY = 'package/claude';
const BINARY = 'claude';
const REGISTRY_TIMEOUT_MS = 30_000;
const FALLBACK_TIMEOUT_MS = 5_000;

/**
 * Keeps Claude Code's native binaries per version under
 * `<cacheDir>/<version>/claude` (mode 0755), fetched from the npm registry's
 * platform package (`@anthropic-ai/claude-code-linux-x64` and friends) and
 * verified against the registry's integrity before they become visible.
 *
 * Concurrent `ensure` calls for one version download once, within this object
 * (shared promise) and across objects and processes (a lock file per version).
 */
export class ClaudeBinaryCache {
  /** Root of the cache. */
  readonly cacheDir: string;

  private readonly options: ClaudeBinaryCacheOptions;
  private readonly clock: () => number;
  private readonly lockOptions: FileLockOptions;
  private readonly resolutions: ResolutionStore;
  private readonly installs = new Map<string, Install>();
  private registry: Promise<NpmRegistry> | undefined;
  private platform: ClaudePlatform | undefined;
  private readonly packumentRequests = new Map<string, Promise<Packument>>();

  constructor(options: ClaudeBinaryCacheOptions) {
    this.options = options;
    this.cacheDir = options.cacheDir;
    this.clock = options.clock ?? Date.now;
    this.lockOptions = {
      clock: this.clock,
      sleep: options.sleep ?? ((ms) => delay(ms)),
      staleMs: options.lockStaleMs ?? 10 * 60_000,
      waitMs: options.lockWaitMs ?? 60 * 60_000,
      diskError,
      timeoutError: (path, holder) => new ClaudeBinaryError('CLAUDE_BIN_LOCK', `Waited ${Math.round(this.lockOptions.waitMs / 1000)} s for the lock ${path}${holder ? ` held by pid ${holder.pid} on ${holder.host}` : ''}`, {
        hint: `If no other Airut process is downloading Claude Code, remove ${path}.`,
      }),
    };
    this.resolutions = new ResolutionStore(this.cacheDir);
  }

  /**
   * Returns a verified binary for `request`, downloading it when needed. The
   * version is found as {@link resolve} does (skipped when
   * `options.resolution` already holds it); when the newer version a channel
   * names cannot be downloaded for a transient reason, its earlier,
   * still-cached resolution is used with a warning.
   *
   * @throws ClaudeBinaryError with a `CLAUDE_BIN_*` code; nothing half-written is left behind
   */
  async ensure(request: ClaudeVersionRequest, options: EnsureOptions = {}): Promise<EnsureResult> {
    validateVersionRequest(request);
    const platform = this.hostPlatform();
    const { signal } = options;
    if (signal?.aborted) throw downloadAbortedError(`Claude Code ${request}`, signal);
    const resolution = options.resolution?.request === request ? options.resolution : await this.resolve(request);
    const { version, fallback } = resolution;
    let downloaded = false;
    if (!(await this.isCached(version))) {
      try {
        downloaded = await this.install(version, platform, resolution.packument, options.onProgress, signal);
      } catch (err) {
        if (fallback && fallback.version !== version && isChannel(request) && isTransient(err)) {
          return this.result(fallback.version, false, [this.fallbackWarning(request, fallback, `download Claude Code ${version} as`, err)]);
        }
        throw err;
      }
    }
    // Recorded only once the binary is here, so the record is always a usable fallback.
    if (resolution.fromRegistry && isChannel(request)) await this.remember(request, version);
    return this.result(version, downloaded, [...resolution.warnings]);
  }

  /**
   * Says which exact version `request` stands for, without downloading it, so
   * a caller can fail on a channel or version that does not exist before it
   * prepares anything else. `latest` and `stable` are read from the dist-tags
   * of `@anthropic-ai/claude-code` itself (as npm resolves them) and then
   * looked up in this host's platform package; an exact version is looked up
   * there directly. An exact version already cached makes no network call;
   * a channel reuses its last resolution for `resolutionTtlMs`, and falls back
   * to it (with a warning) when the registry cannot be reached. Pass the
   * result to {@link ensure} to skip asking again.
   *
   * @throws ClaudeBinaryError `CLAUDE_BIN_UNKNOWN_VERSION` listing what exists, `CLAUDE_BIN_REGISTRY` and other `CLAUDE_BIN_*` codes
   */
  async resolve(request: ClaudeVersionRequest): Promise<VersionResolution> {
    validateVersionRequest(request);
    const platform = this.hostPlatform();
    if (!isChannel(request)) {
      if (await this.isCached(request)) return { request, version: request, cached: true, fromRegistry: false, warnings: [] };
      const packument = await this.fetchPackumentOnce(platform.packageName);
      pickVersion(packument, request);
      return { request, version: request, cached: false, fromRegistry: true, warnings: [], packument };
    }

    const remembered = await this.resolutions.get(request);
    const fallback = remembered && (await this.isCached(remembered.version)) ? remembered : undefined;
    const fromFallback = (warning?: string): VersionResolution =>
      ({ request, version: fallback?.version ?? '', cached: true, fromRegistry: false, warnings: warning === undefined ? [] : [warning] });
    if (fallback && this.clock() - fallback.resolvedAt < this.ttl()) return fromFallback();
    // With a usable fallback, a slow registry should not hold up the run for long.
    const timeoutMs = fallback ? FALLBACK_TIMEOUT_MS : REGISTRY_TIMEOUT_MS;
    let main: Packument;
    let packument: Packument;
    try {
      [main, packument] = await Promise.all([
        this.fetchPackumentOnce(CLAUDE_CODE_PACKAGE, timeoutMs),
        this.fetchPackumentOnce(platform.packageName, timeoutMs),
      ]);
    } catch (err) {
      if (fallback && err instanceof ClaudeBinaryError && err.code === 'CLAUDE_BIN_REGISTRY') {
        return fromFallback(this.fallbackWarning(request, fallback, 'ask the npm registry for', err));
      }
      throw err;
    }
    const version = channelVersion(main, request);
    if (!packument.versions.has(version)) {
      const missing = missingPlatformBuildError(packument, main, request, version);
      // The main package can be published a moment before the platform ones.
      if (fallback) return fromFallback(this.fallbackWarning(request, fallback, 'find a platform build of', missing));
      throw missing;
    }
    return { request, version, cached: await this.isCached(version), fromRegistry: true, warnings: [], packument, ...(fallback ? { fallback } : {}) };
  }

  /**
   * The binary for `request` if it is already here, without any network access:
   * an exact version when cached, a channel by its last resolution however old.
   */
  async cached(request: ClaudeVersionRequest): Promise<ClaudeBinary | undefined> {
    validateVersionRequest(request);
    const version = isChannel(request) ? (await this.resolutions.get(request))?.version : request;
    if (version === undefined || !(await this.isCached(version))) return undefined;
    return { version, path: this.binaryPath(version) };
  }

  /** Exact versions with a binary in the cache, oldest first. */
  async listCached(): Promise<string[]> {
    const out: string[] = [];
    for (const version of await this.versionDirs()) if (await this.isCached(version)) out.push(version);
    return out.sort(compareVersions);
  }

  /**
   * Removes every cached version not in `keep`. `latest`/`stable` in `keep`
   * protect the version they last resolved to. A version another caller is
   * installing right now is left alone.
   *
   * @returns the versions removed
   */
  async prune(keep: readonly ClaudeVersionRequest[]): Promise<string[]> {
    const resolutions = await this.resolutions.read();
    const kept = new Set<string>();
    for (const request of keep) {
      validateVersionRequest(request, 'prune keep list');
      const version = isChannel(request) ? resolutions[request]?.version : request;
      if (version !== undefined) kept.add(version);
    }
    const removed: string[] = [];
    for (const version of await this.versionDirs()) {
      if (kept.has(version) || this.installs.has(version)) continue;
      const lock = await tryFileLock(this.lockPath(version), this.lockOptions);
      if (!lock) continue;
      try {
        await rm(join(this.cacheDir, version), { recursive: true, force: true });
        removed.push(version);
      } finally {
        await lock.release();
      }
    }
    return removed.sort(compareVersions);
  }

  /** Where the binary of an exact version lives (or would). */
  binaryPath(version: string): string {
    return join(this.cacheDir, version, BINARY);
  }

  private async install(version: string, platform: ClaudePlatform, packument: Packument | undefined, onProgress: ProgressCallback | undefined, signal: AbortSignal | undefined): Promise<boolean> {
    let install = this.installs.get(version);
    const joined = install !== undefined;
    if (install === undefined) {
      const controller = new AbortController();
      const listeners = new Set<ProgressCallback>();
      const report: ProgressCallback = (bytes, total) => {
        for (const listener of listeners) listener(bytes, total);
      };
      const work = this.installLocked(version, platform, packument, report, controller.signal).finally(() => this.installs.delete(version));
      install = { work, waiters: 0, controller, listeners };
      this.installs.set(version, install);
    }
    install.waiters += 1;
    // A wrapper per caller, so two callers passing the same function each count.
    const listener: ProgressCallback | undefined = onProgress && ((bytes, total) => onProgress(bytes, total));
    if (listener) install.listeners.add(listener);
    const result = joined ? install.work.then(() => false) : install.work;
    if (signal === undefined) return result;
    const shared = install;
    let leave!: () => void;
    const left = new Promise<never>((_resolve, reject) => {
      leave = () => {
        shared.waiters -= 1;
        if (listener) shared.listeners.delete(listener);
        const error = downloadAbortedError(`Claude Code ${version}`, signal);
        if (shared.waiters > 0) {
          reject(error);
          return;
        }
        // The last caller stops the download and returns once its temp file and lock are gone.
        shared.controller.abort(signal.reason);
        void shared.work.then(() => reject(error), () => reject(error));
      };
    });
    // The shared work may still reject after this caller left: that rejection is another caller's to see.
    result.catch(() => undefined);
    signal.addEventListener('abort', leave, { once: true });
    // An abort while this caller was still resolving the version fired before
    // the listener existed: leave now, or the caller would wait for the whole download.
    if (signal.aborted) leave();
    try {
      return await Promise.race([result, left]);
    } finally {
      signal.removeEventListener('abort', leave);
    }
  }

  private async installLocked(version: string, platform: ClaudePlatform, packument: Packument | undefined, onProgress: ProgressCallback | undefined, signal: AbortSignal): Promise<boolean> {
    try {
      await mkdir(this.cacheDir, { recursive: true });
    } catch (err) {
      throw diskError(err, this.cacheDir);
    }
    const what = `Claude Code ${version}`;
    const lock = await acquireFileLock(this.lockPath(version), { ...this.lockOptions, sleep: (ms) => abortable(this.lockOptions.sleep(ms), signal, what) });
    try {
      if (signal.aborted) throw downloadAbortedError(what, signal);
      // Another process may have finished while this one waited for the lock.
      if (await this.isCached(version)) return false;
      const published = pickVersion(packument ?? (await this.fetchPackumentOnce(platform.packageName)), version);
      const registry = await this.npmRegistry();
      await removeStaleTempFiles(join(this.cacheDir, version));
      const attempts = Math.max(1, this.options.downloadAttempts ?? 3);
      for (let attempt = 1; ; attempt++) {
        try {
          await installFile(this.binaryPath(version), 0o755, (target, targetPath) =>
            downloadBinary(published, { registry, dispatcher: this.options.dispatcher, entry: ENTRY, target, targetPath, onProgress, signal }).then(() => undefined),
          );
          return true;
        } catch (err) {
          if (attempt >= attempts || !isTransient(err)) throw err;
          await abortable(this.lockOptions.sleep(attempt * (this.options.retryDelayMs ?? 2000)), signal, what);
        }
      }
    } finally {
      await lock.release();
    }
  }

  private fetchPackumentOnce(packageName: string, timeoutMs = REGISTRY_TIMEOUT_MS): Promise<Packument> {
    let request = this.packumentRequests.get(packageName);
    if (request === undefined) {
      request = this.npmRegistry()
        .then((registry) => fetchPackument(registry, packageName, { dispatcher: this.options.dispatcher, timeoutMs }))
        .finally(() => {
          this.packumentRequests.delete(packageName);
        });
      this.packumentRequests.set(packageName, request);
    }
    return request;
  }

  private npmRegistry(): Promise<NpmRegistry> {
    this.registry ??= resolveNpmRegistry({
      env: this.options.env ?? process.env,
      homedir: this.options.homedir ?? osHomedir(),
      cwd: this.options.cwd ?? process.cwd(),
      execPath: this.options.execPath ?? process.execPath,
    }).then((found) => {
      const url = this.options.registryUrl;
      if (url === undefined) return found;
      return { ...found, url: url.endsWith('/') ? url : `${url}/`, source: 'registryUrl option' };
    }).catch((err: unknown) => {
      // Let a later call read the (perhaps fixed) npm config again.
      this.registry = undefined;
      throw err;
    });
    return this.registry;
  }

  private hostPlatform(): ClaudePlatform {
    this.platform ??= detectPlatform({ platform: this.options.platform, arch: this.options.arch, libc: this.options.libc });
    return this.platform;
  }

  private async remember(channel: ClaudeChannel, version: string): Promise<void> {
    try {
      await this.resolutions.set(channel, { version, resolvedAt: this.clock() });
    } catch {
      // The record only saves a later registry call; failing to write it must not fail the run.
    }
  }

  private fallbackWarning(channel: ClaudeChannel, remembered: Resolution, failedTo: string, err: ClaudeBinaryError): string {
    const minutes = Math.max(0, Math.round((this.clock() - remembered.resolvedAt) / 60_000));
    return `Could not ${failedTo} the ${channel} Claude Code version (${err.message}); using ${remembered.version}, which ${channel} resolved to ${minutes} min ago.`;
  }

  private result(version: string, downloaded: boolean, warnings: string[] = []): EnsureResult {
    return { version, path: this.binaryPath(version), downloaded, warnings };
  }

  private async isCached(version: string): Promise<boolean> {
    try {
      return (await stat(this.binaryPath(version))).isFile();
    } catch {
      // Any failure to see the file means "not usable from the cache"; installing will report real errors.
      return false;
    }
  }

  private async versionDirs(): Promise<string[]> {
    try {
      const entries = await readdir(this.cacheDir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && isExactVersion(e.name)).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private lockPath(version: string): string {
    return join(this.cacheDir, `.${version}.lock`);
  }

  private ttl(): number {
    return this.options.resolutionTtlMs ?? 60 * 60_000;
  }
}

// A broken-off connection or an unreachable/failing registry may work next time; bad data or a full disk will not.
/** `wait`, cut short with `CLAUDE_BIN_ABORTED` when `signal` aborts (the injected sleep knows no signal). */
async function abortable(wait: Promise<void>, signal: AbortSignal, what: string): Promise<void> {
  if (signal.aborted) throw downloadAbortedError(what, signal);
  let stop!: () => void;
  const aborted = new Promise<never>((_resolve, reject) => {
    stop = () => reject(downloadAbortedError(what, signal));
  });
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race([wait, aborted]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function isTransient(err: unknown): err is ClaudeBinaryError {
  return err instanceof ClaudeBinaryError && (err.code === 'CLAUDE_BIN_TRUNCATED' || (err.code === 'CLAUDE_BIN_REGISTRY' && (err.httpStatus === undefined || err.httpStatus >= 500)));
}
