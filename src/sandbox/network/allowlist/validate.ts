/**
 * Validation of an allowlist document, without YAML: the proxy program reads
 * the JSON the host hands it with this alone (loading a YAML parser would
 * cost it memory for nothing). The shape is checked against
 * network-allowlist.schema.json; the patterns here.
 */
import { Allowlist, type AllowlistDocument } from './allowlist.js';
import { findShapeProblems, type KeyPath } from './allowlist-schema.js';
import { approvalRules } from './approval-overlay.js';
import { AllowlistError, type AllowlistProblem } from './error.js';
import { findClassEnd, findPatternProblem, isWildcardPattern } from './pattern.js';

export type { KeyPath } from './allowlist-schema.js';

/** Methods an entry may list. CONNECT is absent on purpose: the proxy never tunnels. */
export const ALLOWLIST_METHODS: readonly string[] = [
  'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE',
  // WebDAV, used by some package and artifact servers.
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH',
];

/** A 1-based place in the source text. */
export interface SourcePlace {
  line: number;
  column?: number;
}

interface Collector {
  add(path: KeyPath, message: string): void;
}

function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const HOST_PATTERN_CHARS = /^[A-Za-z0-9.*?_[\]!-]+$/;

/**
 * Why `pattern` cannot be a host pattern (as used by allowlist entries and
 * masked-secret scopes), or undefined when it can. `field` tunes the advice
 * about paths.
 */
export function checkHostPattern(pattern: string, field: 'domains' | 'host' = 'host'): string | undefined {
  const quoted = JSON.stringify(pattern);
  if (pattern === '') {
    return 'is empty; write a host name such as "api.github.com" or a pattern such as "*.github.com"';
  }
  if (SCHEME.test(pattern)) {
    const bare = pattern.replace(SCHEME, '').replace(/[/:].*$/, '');
    return `${quoted} includes a URL scheme; write the host only, e.g. ${JSON.stringify(bare)}`;
  }
  if (/\s/.test(pattern)) {
    return `${quoted} contains whitespace; a host pattern is a single word such as "*.github.com"`;
  }
  if (pattern.includes('/')) {
    return field === 'domains'
      ? `${quoted} includes a path; domains entries are host names only, use a url_prefixes entry with host and path to allow a path`
      : `${quoted} includes a path; put the host in host: and the path in path:`;
  }
  if (pattern.includes(':')) {
    return `${quoted} includes a port or colon; patterns match the host name only (ports are not part of the match)`;
  }
  const bad = Array.from(pattern).find((ch) => !HOST_PATTERN_CHARS.test(ch));
  if (bad !== undefined) {
    return `${quoted} contains ${JSON.stringify(bad)}; host patterns may use letters, digits, ".", "-", "_" and the wildcards *, ? and [...] (write internationalised names in their xn-- form)`;
  }
  if (pattern.startsWith('.')) {
    return `${quoted} starts with "."; request hosts never do, so write "*${pattern}" for its subdomains (and add ${JSON.stringify(pattern.slice(1))} for the name itself)`;
  }
  if (pattern.endsWith('.') || pattern.includes('..')) {
    return `${quoted} has an empty label; request hosts are compared without a trailing dot, so write ${JSON.stringify(pattern.replace(/\.+/g, '.').replace(/\.$/, ''))}`;
  }
  if (/[[\]]/.test(pattern)) {
    if (!isWildcardPattern(pattern)) {
      return `${quoted} uses [...] without * or ?; such a pattern is compared literally and would never match a host, add a wildcard or remove the brackets`;
    }
    const cps = Array.from(pattern, (ch) => ch.codePointAt(0) as number);
    const open = cps.indexOf(0x5b);
    if (open >= 0 && findClassEnd(cps, open) < 0) {
      return `${quoted} has a "[" without a closing "]"; it would be a literal "[" and never match a host`;
    }
  }
  const classProblem = findPatternProblem(pattern);
  return classProblem === undefined ? undefined : `${quoted}: ${classProblem}`;
}

function isControl(ch: string): boolean {
  const cp = ch.codePointAt(0) as number;
  return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/** Why `pattern` cannot be a path pattern, or undefined when it can. */
function checkPathPattern(pattern: string): string | undefined {
  const quoted = JSON.stringify(pattern);
  if (pattern === '') return undefined;
  if (!pattern.startsWith('/') && !pattern.startsWith('*')) {
    return `${quoted} does not start with "/"; request paths always do, so it would never match (use "" or omit path: to allow every path)`;
  }
  if (pattern !== pattern.trim()) {
    return `${quoted} has leading or trailing whitespace`;
  }
  // A decoded %20 is a space, so a space may sit inside a path; other whitespace and controls cannot.
  if (Array.from(pattern).some((ch) => ch !== ' ' && (/\s/.test(ch) || isControl(ch)))) {
    return `${quoted} contains a control or whitespace character other than a space`;
  }
  if (/%[0-9A-Fa-f]{2}/.test(pattern)) {
    return `${quoted} contains percent-encoding; paths are matched after decoding, so write the character itself (e.g. "/" rather than "%2F")`;
  }
  if (pattern.includes('\\')) {
    return `${quoted} contains a backslash; requests whose path holds one are always refused, so this would never match`;
  }
  if (pattern.split('/').includes('..')) {
    return `${quoted} contains a ".." segment; requests whose path holds one are always refused, so this would never match`;
  }
  const classProblem = findPatternProblem(pattern);
  return classProblem === undefined ? undefined : `${quoted}: ${classProblem}`;
}

const GRAPHQL_KEYS = ['queries', 'mutations', 'subscriptions'] as const;
type UrlPrefixEntry = AllowlistDocument['url_prefixes'][number];

/** Why `pattern` cannot be a GraphQL field pattern, or undefined when it can. */
function checkFieldPattern(pattern: string): string | undefined {
  if (pattern === '' || /\s/.test(pattern)) {
    return `${JSON.stringify(pattern)} is not a field pattern; write a top-level field name such as "repository", or a pattern such as "create*" or "*"`;
  }
  const problem = findPatternProblem(pattern);
  return problem === undefined ? undefined : `${JSON.stringify(pattern)}: ${problem}`;
}

/** Why `method` cannot be allowed, or undefined when it can. */
function checkMethod(method: string): string | undefined {
  const upper = method.toUpperCase();
  if (upper === 'CONNECT') return '"CONNECT" can never be allowed: the proxy does not open tunnels';
  if (!ALLOWLIST_METHODS.includes(upper)) return `${JSON.stringify(method)} is not an HTTP method; use one of ${ALLOWLIST_METHODS.join(', ')}`;
  return undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The checks the schema cannot express (host, path and field patterns, method
 * names), on the values whose shape is right; wrong shapes are the schema's
 * to report.
 */
function checkPatterns(value: Record<string, unknown>, problems: Collector): void {
  const eachString = (list: unknown, at: KeyPath, check: (item: string) => string | undefined): void => {
    if (!Array.isArray(list)) return;
    list.forEach((item, i) => {
      const problem = typeof item === 'string' ? check(item) : undefined;
      if (problem !== undefined) problems.add([...at, i], problem);
    });
  };
  eachString(value.domains, ['domains'], (host) => checkHostPattern(host, 'domains'));
  const prefixes = Array.isArray(value.url_prefixes) ? value.url_prefixes : [];
  prefixes.forEach((entry: unknown, i) => {
    if (!isPlainObject(entry)) return;
    const at = ['url_prefixes', i];
    if (typeof entry.host === 'string') {
      const problem = checkHostPattern(entry.host, 'host');
      if (problem !== undefined) problems.add([...at, 'host'], problem);
    }
    if (typeof entry.path === 'string') {
      const problem = checkPathPattern(entry.path);
      if (problem !== undefined) problems.add([...at, 'path'], problem);
    }
    eachString(entry.methods, [...at, 'methods'], checkMethod);
    if (isPlainObject(entry.graphql)) {
      const graphql = entry.graphql;
      for (const key of GRAPHQL_KEYS) eachString(graphql[key], [...at, 'graphql', key], checkFieldPattern);
    }
  });
}

/** The document of a value that passed every check. */
function toDocument(value: Record<string, unknown>): AllowlistDocument {
  const prefixes = Array.isArray(value.url_prefixes) ? value.url_prefixes as Record<string, unknown>[] : [];
  return {
    domains: strings(value.domains),
    url_prefixes: prefixes.map((entry): UrlPrefixEntry => {
      const base = { host: entry.host as string, path: (entry.path as string | undefined) ?? '', methods: strings(entry.methods).map((method) => method.toUpperCase()) };
      if (!isPlainObject(entry.graphql)) return base;
      const graphql = entry.graphql;
      // An absent list blocks that operation type.
      return { ...base, graphql: { queries: strings(graphql.queries), mutations: strings(graphql.mutations), subscriptions: strings(graphql.subscriptions) } };
    }),
  };
}

function validate(value: unknown, problems: Collector): AllowlistDocument {
  for (const problem of findShapeProblems(value ?? null)) problems.add(problem.path, problem.message);
  if (!isPlainObject(value)) return { domains: [], url_prefixes: [] };
  checkPatterns(value, problems);
  return toDocument(value);
}

/**
 * Validates `value` and builds the allowlist; `placeOf` places problems in the source text.
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem.
 */
export function buildAllowlist(value: unknown, source: string, placeOf: (path: KeyPath) => SourcePlace | undefined): Allowlist {
  const problems: AllowlistProblem[] = [];
  const document = validate(value, {
    add(path, message) {
      const place = placeOf(path);
      problems.push({ path: formatKeyPath(path), message, ...place });
    },
  });
  // Report in file order; problems without a line keep their discovery order.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (problems.length > 0) throw new AllowlistError(source, problems);
  return new Allowlist(source, document);
}

/**
 * Validate an already-parsed allowlist (e.g. the JSON the host hands to the
 * proxy, or a YAML mapping loaded elsewhere). `null`/`undefined` or `{}` give
 * an allowlist that blocks everything. An `approvals` list (conversation
 * approvals, see `approval-overlay.ts`) is read beside the entries.
 *
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem.
 */
export function allowlistFromObject(value: unknown, source: string): Allowlist {
  // Approvals come only with the JSON the host hands the proxy; the YAML reader (parseAllowlist) refuses the key.
  if (isPlainObject(value) && 'approvals' in value) {
    const { approvals, ...document } = value;
    const allowlist = buildAllowlist(document, source, () => undefined);
    return new Allowlist(source, allowlist.toJSON(), approvalRules(approvals, `${source} (conversation approvals)`));
  }
  return buildAllowlist(value, source, () => undefined);
}

/** The allowlist as JSON text for the proxy container; {@link allowlistFromObject} reads it back. */
export function serializeAllowlist(allowlist: Allowlist): string {
  return JSON.stringify(allowlist.toJSON());
}
