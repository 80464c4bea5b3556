import type { ProcessRunner } from '../process/index.js';
import { failed, passed, type SectionResult } from './report.js';
import { compareVersions, parseVersion } from './version-compare.js';

/** Oldest git Airut supports. */
export const MIN_GIT_VERSION = '2.25';

/** Git section: git on PATH and at least {@link MIN_GIT_VERSION}. */
export async function checkGit(deps: { runner: ProcessRunner; env: Readonly<Record<string, string | undefined>> }): Promise<SectionResult> {
  const name = 'Git';
  const fix = 'Install git 2.25 or newer: apt-get install -y git.';
  const result = await deps.runner('git', ['--version'], { env: deps.env, timeoutMs: 10_000 });
  if (result.notFound) {
    return { name, checks: [failed(name, 'critical', 'git not found on PATH', fix)] };
  }
  const raw = result.stdout || result.stderr;
  const version = result.exitCode === 0 ? parseVersion(raw) : null;
  if (version === null) {
    return { name, checks: [failed(name, 'critical', `"git --version" gave no version (exit ${result.exitCode ?? 'none'}): ${raw.split('\n')[0] || '(no output)'}`, fix)] };
  }
  if (compareVersions(version, MIN_GIT_VERSION) < 0) {
    return { name, checks: [failed(name, 'critical', `${version} is too old (need >= ${MIN_GIT_VERSION})`, fix)] };
  }
  return { name, checks: [passed(name, 'critical', `${version} (>= ${MIN_GIT_VERSION})`)] };
}
