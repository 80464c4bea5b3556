/**
 * What to tell the user about a blocked request. The network log line carries
 * the method and URL (`BLOCKED GET https://host/path -> 403`) and, for blocks
 * no allowlist entry could lift, a parenthesised reason; from that this builds
 * the entry that would allow the request, the same narrow entry the proxy's 403
 * body suggests.
 */
import { REPO_SANDBOX_PATHS } from '../repo-sandbox/repo-paths.js';

/** A blocked request as read from its log line. */
export interface BlockedRequest {
  method: string;
  url: string;
  /** The parenthesised reason, for blocks that no allowlist entry can lift (CONNECT, host mismatch). */
  note: string | undefined;
}

const BLOCKED_LINE = /^BLOCKED (\S+) (\S+) -> \S+(?: \((.*)\))?/;

/** Reads a BLOCKED log line; undefined for any other line. */
export function parseBlockedLine(line: string): BlockedRequest | undefined {
  const match = BLOCKED_LINE.exec(line);
  if (!match) return undefined;
  return { method: match[1] ?? '', url: match[2] ?? '', note: match[3] };
}

/**
 * Lines telling the user how to allow `request`: the YAML entry to add to the
 * allowlist, or the reason when no entry can allow it. The query string is
 * left out of the suggested path and replaced by a trailing `*`.
 */
export function describeBlockHint(request: BlockedRequest, allowlistPath: string = REPO_SANDBOX_PATHS.allowlist): string[] {
  if (request.note !== undefined) return [`${request.method} ${request.url} cannot be allowed: ${request.note}.`];
  let host: string;
  let path: string;
  try {
    const url = new URL(request.url);
    host = url.hostname;
    path = `${url.pathname}${url.search === '' ? '' : '*'}`;
  } catch {
    // Not a URL (e.g. a bare host of a refused connection): name it as it came.
    return [`${request.method} ${request.url} is not in the allowlist (${allowlistPath}).`];
  }
  return [
    `To allow it, add to ${allowlistPath}:`,
    'url_prefixes:',
    `  - host: ${host}`,
    ...(path === '/' ? [] : [`    path: ${quotePath(path)}`]),
    `    methods: [${request.method}]`,
  ];
}

/** YAML needs quotes around a path holding characters it would read as syntax. */
function quotePath(path: string): string {
  return /^[\w/.~%*-]+$/.test(path) ? path : JSON.stringify(path);
}
