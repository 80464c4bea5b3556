import { authorizationFor, isAirutError, packumentUrl, resolveNpmRegistry } from '../../sandbox/index.js';
import { compareVersions, parseVersion } from './version-compare.js';
import { failed, passed, type SectionResult } from './report.js';

/** The subset of WHATWG fetch the version check uses (undici's by default). */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/** Inputs of {@link checkVersion}. */
export interface VersionCheckDeps {
  /** The installed package: name on the registry and version. */
  installed: { name: string; version: string };
  env: Readonly<Record<string, string | undefined>>;
  home: string;
  cwd: string;
  /** The node binary, whose prefix holds npm's global config (as for the Claude Code download). */
  execPath?: string;
  fetch: FetchLike;
  /** Give up on the registry after this long; the check is only informational. */
  timeoutMs: number;
}

/**
 * Version section: the installed version, and the newest one on the registry the
 * user's npm is configured for. Registry trouble never fails the check.
 */
export async function checkVersion(deps: VersionCheckDeps): Promise<SectionResult> {
  const { installed } = deps;
  const checks = [passed('Installed', 'info', `${installed.name} ${installed.version}`)];
  // The same resolution as the Claude Code download: environment, project, user and global npmrc, scope, token.
  const registry = await resolveNpmRegistry({
    env: deps.env, homedir: deps.home, cwd: deps.cwd, packageName: installed.name, ...(deps.execPath === undefined ? {} : { execPath: deps.execPath }),
  }).catch((error: unknown) => {
    // An unreadable npmrc is only worth a notice here, never a failed check.
    if (isAirutError(error)) return error;
    throw error;
  });
  if (registry instanceof Error) {
    checks.push(failed('Newest release', 'info', `unknown: ${registry.message}`, registry.hint ?? null));
    return { name: 'Version', checks };
  }
  const url = packumentUrl(registry, installed.name);
  const authorization = authorizationFor(registry, url);
  let latest: string | undefined;
  let problem: string | undefined;
  try {
    const response = await deps.fetch(url, {
      headers: {
        accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8',
        ...(authorization === undefined ? {} : { authorization }),
      },
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    if (response.status === 404) {
      problem = `${installed.name} is not published on ${registry.url}`;
    } else if (!response.ok) {
      problem = `${url} answered HTTP ${response.status}`;
    } else {
      const body = (await response.json()) as { 'dist-tags'?: { latest?: unknown } } | null;
      const tag = body?.['dist-tags']?.latest;
      if (typeof tag === 'string') latest = tag;
      else problem = `${url} has no "latest" dist-tag`;
    }
  } catch (error) {
    problem = `could not reach ${registry.url} (${fetchFailure(error, deps.timeoutMs)})`;
  }
  if (latest === undefined) {
    checks.push(failed('Newest release', 'info', `unknown: ${problem ?? 'no answer'}`, null));
  } else if (isNewer(latest, installed.version)) {
    checks.push(failed('Newest release', 'info', `${latest} is available on ${registry.url} (installed ${installed.version})`, 'Run `airut update` to update.'));
  } else {
    checks.push(passed('Newest release', 'info', `${latest} on ${registry.url}; ${installed.version} is up to date`));
  }
  return { name: 'Version', checks };
}

function isNewer(candidate: string, installed: string): boolean {
  const a = parseVersion(candidate);
  const b = parseVersion(installed);
  return a !== null && b !== null && compareVersions(a, b) > 0;
}

/** Why a fetch failed: undici says only "fetch failed" and keeps the socket error in `cause`. */
function fetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}
