import { describeRule, type Allowlist, type AllowlistRule, type UrlPrefixRule } from './allowlist.js';
import { describeApprovalRule, findApproval, type ApprovalRule } from './approval-overlay.js';
import { normalizeRequestHost, normalizeRequestPath } from './request-target.js';

/** What the proxy knows about a request when it decides (before any upstream connection). */
export interface RequestToCheck {
  /** Request method, any case. */
  readonly method: string;
  /** Host from SNI or the Host header; a `:port` and a trailing dot are ignored. */
  readonly host: string;
  /** Path plus query string exactly as sent on the request line (still percent-encoded). */
  readonly path: string;
  /** Scheme, for the URL quoted in messages. Default `https`. */
  readonly scheme?: 'http' | 'https';
}

/**
 * The allowlist's verdict on one request, with the text that explains it. The
 * same `reason` goes to the network log, the dashboard and the 403 body.
 */
export interface Decision {
  /** True when the request may go upstream. */
  readonly allowed: boolean;
  /** The entry that allowed the request, or (for a method mismatch) the entry that matched host and path. */
  readonly rule?: string;
  /** One sentence saying why, naming the method, URL and entry, and (when it can be allowed) what to change. */
  readonly reason: string;
  /** When blocked but allowable: the YAML to add to the allowlist file to allow it. */
  readonly hint?: string;
  /** True when an entry matched host and path but not the method. */
  readonly methodMismatch: boolean;
  /** The entry that allowed the request (its `graphql:` block, if any, then applies). */
  readonly matched?: AllowlistRule;
  /** The path, percent-decoded once, as it was matched; set when the request was allowed. */
  readonly decodedPath?: string;
  /** The conversation approval that allowed the request (no repository entry did). */
  readonly approval?: ApprovalRule;
}

/**
 * Characters a YAML plain scalar in block context may hold without any of
 * them being an indicator: no leading indicator, no `: ` or ` #`, no space at all.
 */
const PLAIN_SCALAR = /^[\p{L}\p{N}_./][\p{L}\p{N}\p{M}_./*?=&%+~,@()[\]!$'-]*$/u;
/** Plain scalars that would read back as something else than a string. */
const NOT_A_STRING = /^(?:true|false|yes|no|on|off|null|~|[-+]?(?:\d.*|\.\d.*|\.inf|\.nan))$/i;

/**
 * `value` as a YAML scalar: plain when it reads back as the same string,
 * else double-quoted (a JSON string literal is a valid YAML double-quoted
 * scalar). Written here rather than with the YAML library so the proxy does
 * not load a YAML parser for its 403 answers.
 */
function quoteYaml(value: string): string {
  return PLAIN_SCALAR.test(value) && !NOT_A_STRING.test(value) ? value : JSON.stringify(value);
}

function entryYaml(host: string, path: string, methods: readonly string[]): string {
  const lines = ['url_prefixes:', `  - host: ${quoteYaml(host)}`];
  if (path !== '') lines.push(`    path: ${quoteYaml(path)}`);
  if (methods.length > 0) lines.push(`    methods: [${methods.join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

/** Make `text` match only itself inside a wildcard pattern. */
function escapePattern(text: string): string {
  return text.replace(/[*?[]/g, (ch) => `[${ch}]`);
}

/**
 * The narrowest entry that allows this request: its host, and its path
 * without the query string (a trailing `*` then stands for the query, since the
 * query is part of what is matched).
 */
function suggestEntry(host: string, decodedPath: string, method: string): string {
  const queryAt = decodedPath.indexOf('?');
  const path = queryAt < 0 ? decodedPath : `${escapePattern(decodedPath.slice(0, queryAt))}*`;
  return entryYaml(host, path, [method]);
}

/**
 * Decide whether `request` is allowed, and say why (ALW-02..04).
 *
 * CONNECT is always refused. The path is percent-decoded once and refused
 * when it holds NUL, a backslash, a `..` segment or a double-encoded
 * separator. Then `domains` entries are tried first (every method and path),
 * then `url_prefixes` in order; the first entry matching host, path and method
 * wins; then the conversation's approvals. Hosts compare case-insensitively, paths (query string included)
 * case-sensitively.
 */
export function explainRequest(allowlist: Allowlist, request: RequestToCheck): Decision {
  const method = request.method.toUpperCase();
  const scheme = request.scheme ?? 'https';
  const host = normalizeRequestHost(request.host);
  const shownHost = host.ok ? host.host : request.host;
  const url = `${scheme}://${shownHost}${request.path}`;
  if (method === 'CONNECT') {
    // The proxy refuses CONNECT before asking; this keeps a domains entry from ever reading as permission to tunnel.
    return { allowed: false, methodMismatch: false, reason: `CONNECT ${shownHost} is blocked: tunnelling through the proxy is never allowed.` };
  }
  if (!host.ok) {
    return { allowed: false, methodMismatch: false, reason: `${method} ${url} is blocked: ${host.problem}.` };
  }
  const path = normalizeRequestPath(request.path);
  if (!path.ok) {
    return { allowed: false, methodMismatch: false, reason: `${method} ${url} is blocked: ${path.problem}.` };
  }

  const domain = allowlist.domains.find((rule) => rule.hostMatcher.test(host.host));
  if (domain !== undefined) {
    const rule = describeRule(domain);
    return { allowed: true, methodMismatch: false, rule, matched: domain, decodedPath: path.path, reason: `${method} ${url} is allowed by ${rule} in ${allowlist.source}.` };
  }

  let wrongMethod: UrlPrefixRule | undefined;
  for (const entry of allowlist.urlPrefixes) {
    if (!entry.hostMatcher.test(host.host)) continue;
    if (entry.pathMatcher !== undefined && !entry.pathMatcher.test(path.path)) continue;
    if (entry.methods.length === 0 || entry.methods.includes(method)) {
      const rule = describeRule(entry);
      return { allowed: true, methodMismatch: false, rule, matched: entry, decodedPath: path.path, reason: `${method} ${url} is allowed by ${rule} in ${allowlist.source}.` };
    }
    // A later entry (e.g. a wildcard host) may still allow this method: keep looking.
    wrongMethod ??= entry;
  }

  // A conversation approval allows exactly its method, host and path (query aside), compared as text.
  const approval = findApproval(allowlist.approvals, method, host.host, request.path);
  if (approval !== undefined) {
    const rule = describeApprovalRule(approval);
    return { allowed: true, methodMismatch: false, rule, approval, decodedPath: path.path, reason: `${method} ${url} is allowed by the conversation's ${rule}.` };
  }

  if (wrongMethod !== undefined) {
    const rule = describeRule(wrongMethod);
    return {
      allowed: false,
      methodMismatch: true,
      rule,
      reason: `${method} is not allowed for ${url}; the matching entry ${rule} in ${allowlist.source} allows ${wrongMethod.methods.join(', ')}, so add ${method} to its methods to request access.`,
      hint: entryYaml(wrongMethod.host, wrongMethod.path, [...wrongMethod.methods, method]),
    };
  }
  return {
    allowed: false,
    methodMismatch: false,
    reason: `${method} ${url} is not in the network allowlist; to request access, add an entry for it to ${allowlist.source}.`,
    hint: suggestEntry(host.host, path.path, method),
  };
}
