import { ClaudeBinaryError } from './error.js';

/** A release channel published as an npm dist-tag of the platform package. */
export type ClaudeChannel = 'latest' | 'stable';

/** What a caller may ask for: a channel or an exact semver such as `2.1.332`. */
export type ClaudeVersionRequest = ClaudeChannel | (string & {});

// Exact versions become directory names in the cache, so the pattern must never
// admit `/`, `..` or whitespace, whatever a config file or a registry says.
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** True for `latest` and `stable`. */
export function isChannel(request: string): request is ClaudeChannel {
  return request === 'latest' || request === 'stable';
}

/** True when `version` is an exact semver that is safe to use as a directory name. */
export function isExactVersion(version: string): boolean {
  return SEMVER.test(version);
}

/**
 * Checks a requested version and returns it unchanged.
 *
 * @param source - where the value came from (a config key, a flag), quoted in the hint
 * @throws ClaudeBinaryError `CLAUDE_BIN_INVALID_VERSION` for anything but a channel or exact semver
 */
export function validateVersionRequest(request: string, source = 'claude version'): ClaudeVersionRequest {
  if (isChannel(request) || isExactVersion(request)) return request;
  throw new ClaudeBinaryError('CLAUDE_BIN_INVALID_VERSION', `Invalid Claude Code version ${JSON.stringify(request)} (from ${source})`, {
    hint: "Use 'latest', 'stable', or an exact version such as '2.1.332'.",
  });
}

/** Orders exact versions the semver way (prereleases before their release). */
export function compareVersions(a: string, b: string): number {
  const ma = SEMVER.exec(a);
  const mb = SEMVER.exec(b);
  if (!ma || !mb) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(ma[i]) - Number(mb[i]);
    if (d !== 0) return d;
  }
  const pa = ma[4];
  const pb = mb[4];
  if (pa === pb) return 0;
  if (pa === undefined) return 1;
  if (pb === undefined) return -1;
  return comparePrerelease(pa, pb);
}

function comparePrerelease(a: string, b: string): number {
  const xa = a.split('.');
  const xb = b.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const ia = xa[i];
    const ib = xb[i];
    if (ia === undefined) return -1;
    if (ib === undefined) return 1;
    const na = /^\d+$/.test(ia);
    const nb = /^\d+$/.test(ib);
    if (na && nb && Number(ia) !== Number(ib)) return Number(ia) - Number(ib);
    if (na !== nb) return na ? -1 : 1;
    if (ia !== ib) return ia < ib ? -1 : 1;
  }
  return 0;
}

/**
 * Up to `count` published versions nearest to `wanted` in semver order, so an
 * error for a typo such as `2.1.3320` can suggest what exists around it.
 */
export function nearbyVersions(available: readonly string[], wanted: string, count = 5): string[] {
  const sorted = available.filter(isExactVersion).sort(compareVersions);
  if (sorted.length <= count) return sorted;
  let at = sorted.findIndex((v) => compareVersions(v, wanted) > 0);
  if (at === -1) at = sorted.length;
  const start = Math.max(0, Math.min(at - Math.ceil(count / 2), sorted.length - count));
  return sorted.slice(start, start + count);
}
