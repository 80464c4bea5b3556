/**
 * Validation of an allowlist document, without YAML: the proxy program reads
 * the JSON the host hands it with this alone (loading a YAML parser would
 * cost it memory for nothing).
 */
import { Allowlist, type AllowlistDocument } from './allowlist.js';
import { AllowlistError, type AllowlistProblem } from './error.js';
import { findClassEnd, findPatternProblem, isWildcardPattern } from './pattern.js';

/** Methods an entry may list. CONNECT is absent on purpose: the proxy never tunnels. */
export const ALLOWLIST_METHODS: readonly string[] = [
  'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE',
  // WebDAV, used by some package and artifact servers.
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'REPORT', 'SEARCH',
];

/** Where in the document a problem is: keys and list indexes. */
export type KeyPath = readonly (string | number)[];

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

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
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

function checkStringList(value: unknown, path: KeyPath, problems: Collector, check: (item: string, at: KeyPath) => void): void {
  if (value === null || value === undefined) return;
  if (!Array.isArray(value)) {
    problems.add(path, `expected a list, got ${describeValue(value)}`);
    return;
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string') {
      problems.add([...path, i], `expected a string, got ${describeValue(item)}`);
      return;
    }
    check(item, [...path, i]);
  });
}

const ENTRY_KEYS = ['host', 'path', 'methods', 'graphql'];
const GRAPHQL_KEYS = ['queries', 'mutations', 'subscriptions'] as const;
type GraphqlBlock = NonNullable<AllowlistDocument['url_prefixes'][number]['graphql']>;

/**
 * Checks a `graphql:` block: a mapping with optional `queries`, `mutations`
 * and `subscriptions` lists of field patterns (absent lists are empty, which
 * blocks that operation type).
 */
function checkGraphql(value: unknown, at: KeyPath, fail: (path: KeyPath, message: string) => void): GraphqlBlock | undefined {
  if (!isPlainObject(value)) {
    fail(at, `expected a mapping with queries:, mutations: and subscriptions: (lists of field patterns), got ${describeValue(value)}`);
    return undefined;
  }
  let ok = true;
  const block: GraphqlBlock = { queries: [], mutations: [], subscriptions: [] };
  for (const key of Object.keys(value)) {
    if (!(GRAPHQL_KEYS as readonly string[]).includes(key)) {
      ok = false;
      fail([...at, key], `unknown key ${JSON.stringify(key)}; valid keys are queries, mutations and subscriptions`);
    }
  }
  for (const key of GRAPHQL_KEYS) {
    if (value[key] === null) {
      ok = false;
      fail([...at, key], `is empty (null); list field patterns such as ["repository", "viewer"], or write [] to block every ${key.replace(/ies$/, 'y').replace(/s$/, '')}`);
      continue;
    }
    checkStringList(value[key], [...at, key], { add: (p, m) => { ok = false; fail(p, m); } }, (pattern, pat) => {
      if (pattern === '' || /\s/.test(pattern)) {
        ok = false;
        fail(pat, `${JSON.stringify(pattern)} is not a field pattern; write a top-level field name such as "repository", or a pattern such as "create*" or "*"`);
        return;
      }
      const problem = findPatternProblem(pattern);
      if (problem !== undefined) {
        ok = false;
        fail(pat, `${JSON.stringify(pattern)}: ${problem}`);
        return;
      }
      block[key].push(pattern);
    });
  }
  return ok ? block : undefined;
}

function checkUrlPrefix(entry: unknown, at: KeyPath, problems: Collector): AllowlistDocument['url_prefixes'][number] | undefined {
  if (!isPlainObject(entry)) {
    problems.add(at, `expected a mapping with host, path and methods, got ${describeValue(entry)}`);
    return undefined;
  }
  let ok = true;
  const fail = (path: KeyPath, message: string): void => {
    ok = false;
    problems.add(path, message);
  };
  for (const key of Object.keys(entry)) {
    if (!ENTRY_KEYS.includes(key)) {
      fail([...at, key], `unknown key ${JSON.stringify(key)}; valid keys are host, path, methods and graphql`);
    }
  }
  const host = entry.host;
  if (host === undefined) {
    fail(at, 'has no host:; every url_prefixes entry names a host pattern');
  } else if (typeof host !== 'string') {
    fail([...at, 'host'], `expected a host pattern (a string), got ${describeValue(host)}`);
  } else {
    const problem = checkHostPattern(host, 'host');
    if (problem !== undefined) fail([...at, 'host'], problem);
  }
  const path = entry.path ?? '';
  if (entry.path === null) {
    fail([...at, 'path'], 'is empty (null); write a path pattern such as "/repos/*", or remove path: to allow every path');
  } else if (typeof path !== 'string') {
    fail([...at, 'path'], `expected a path pattern (a string), got ${describeValue(path)}`);
  } else {
    const problem = checkPathPattern(path);
    if (problem !== undefined) fail([...at, 'path'], problem);
  }
  const methods: string[] = [];
  if (entry.methods === null) {
    fail([...at, 'methods'], `is empty (null); list methods such as [GET, HEAD], or remove methods: to allow every method`);
  } else {
    checkStringList(entry.methods, [...at, 'methods'], { add: fail }, (method, mat) => {
      const upper = method.toUpperCase();
      if (upper === 'CONNECT') {
        fail(mat, '"CONNECT" can never be allowed: the proxy does not open tunnels');
      } else if (!ALLOWLIST_METHODS.includes(upper)) {
        fail(mat, `${JSON.stringify(method)} is not an HTTP method; use one of ${ALLOWLIST_METHODS.join(', ')}`);
      } else {
        methods.push(upper);
      }
    });
  }
  let graphql: GraphqlBlock | undefined;
  if (entry.graphql === null) {
    // An empty `graphql:` key reads as null; treating it as "no filter" would silently open the endpoint.
    fail([...at, 'graphql'], 'is empty (null); give queries:, mutations: and/or subscriptions: lists, or remove graphql: to allow every operation');
  } else if (entry.graphql !== undefined) {
    graphql = checkGraphql(entry.graphql, [...at, 'graphql'], fail);
    if (graphql === undefined) ok = false;
  }
  if (!ok || typeof host !== 'string' || typeof path !== 'string') return undefined;
  return graphql === undefined ? { host, path, methods } : { host, path, methods, graphql };
}

function validate(value: unknown, problems: Collector): AllowlistDocument {
  const document: AllowlistDocument = { domains: [], url_prefixes: [] };
  if (value === null || value === undefined) return document;
  if (!isPlainObject(value)) {
    problems.add([], `expected a mapping with domains: and url_prefixes:, got ${describeValue(value)}`);
    return document;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'domains' && key !== 'url_prefixes') {
      problems.add([key], `unknown key ${JSON.stringify(key)}; valid keys are domains and url_prefixes`);
    }
  }
  checkStringList(value.domains, ['domains'], problems, (host, at) => {
    const problem = checkHostPattern(host, 'domains');
    if (problem === undefined) document.domains.push(host);
    else problems.add(at, problem);
  });
  const prefixes = value.url_prefixes;
  if (Array.isArray(prefixes)) {
    prefixes.forEach((entry, i) => {
      const checked = checkUrlPrefix(entry, ['url_prefixes', i], problems);
      if (checked !== undefined) document.url_prefixes.push(checked);
    });
  } else if (prefixes !== null && prefixes !== undefined) {
    problems.add(['url_prefixes'], `expected a list of {host, path, methods, graphql} entries, got ${describeValue(prefixes)}`);
  }
  return document;
}

/**
 * Validates `value` and builds the allowlist; `lineOf` places problems in the source text.
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem.
 */
export function buildAllowlist(value: unknown, source: string, lineOf: (path: KeyPath) => number | undefined): Allowlist {
  const problems: AllowlistProblem[] = [];
  const document = validate(value, {
    add(path, message) {
      const line = lineOf(path);
      problems.push({ path: formatKeyPath(path), message, ...(line === undefined ? {} : { line }) });
    },
  });
  // Report in file order; problems without a line keep their discovery order.
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (problems.length > 0) throw new AllowlistError(source, problems);
  return new Allowlist(source, document);
}

/**
 * Validate an already-parsed allowlist (e.g. the JSON the host hands to the
 * proxy, or a YAML mapping loaded elsewhere). `null`/`undefined` or `{}` give
 * an allowlist that blocks everything.
 *
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem.
 */
export function allowlistFromObject(value: unknown, source: string): Allowlist {
  return buildAllowlist(value, source, () => undefined);
}

/** The allowlist as JSON text for the proxy container; {@link allowlistFromObject} reads it back. */
export function serializeAllowlist(allowlist: Allowlist): string {
  return JSON.stringify(allowlist.toJSON());
}
