import { approvalDocument, approvalRules, type ApprovalDocument, type ApprovalRule } from './approval-overlay.js';
import { compilePattern, type PatternMatcher } from './pattern.js';

/** An entry of `domains:`: every path and method on hosts matching `host`. */
export interface DomainRule {
  readonly kind: 'domain';
  /** Position in `domains`, for messages. */
  readonly index: number;
  /** Host pattern as written (case-insensitive fnmatch). */
  readonly host: string;
  /** Compiled {@link DomainRule.host}. */
  readonly hostMatcher: PatternMatcher;
}

/** An entry of `url_prefixes:`: a host pattern, a path pattern and optionally a set of methods. */
export interface UrlPrefixRule {
  readonly kind: 'url_prefix';
  /** Position in `url_prefixes`, for messages. */
  readonly index: number;
  /** Host pattern as written (case-insensitive fnmatch). */
  readonly host: string;
  /** Path pattern as written (case-sensitive fnmatch against decoded path plus query); empty means every path. */
  readonly path: string;
  /** Upper-case method names; empty means every method. */
  readonly methods: readonly string[];
  /** Compiled {@link UrlPrefixRule.host}. */
  readonly hostMatcher: PatternMatcher;
  /** Compiled {@link UrlPrefixRule.path}, undefined when every path is allowed. */
  readonly pathMatcher: PatternMatcher | undefined;
  /** The entry's GraphQL operation allowlist (GQL-01); undefined when the entry has no `graphql:` block. */
  readonly graphql: GraphqlOperations | undefined;
}

/**
 * Field patterns of a `graphql:` block, per operation type. Patterns are
 * case-sensitive fnmatch against the real (not aliased) top-level field
 * names; an empty list blocks every operation of that type.
 */
export interface GraphqlOperations {
  readonly queries: readonly string[];
  readonly mutations: readonly string[];
  readonly subscriptions: readonly string[];
}

/** Any allowlist entry. */
export type AllowlistRule = DomainRule | UrlPrefixRule;

/**
 * The JSON shape of an allowlist, as handed to the proxy. It mirrors the YAML
 * schema (and the original's JSON), so {@link allowlistFromObject} reads it back.
 */
export interface AllowlistDocument {
  domains: string[];
  url_prefixes: { host: string; path: string; methods: string[]; graphql?: { queries: string[]; mutations: string[]; subscriptions: string[] } }[];
  /**
   * Conversation approvals laid over the repository's entries for one task
   * (only in the JSON handed to the proxy: a repository's YAML cannot hold them).
   */
  approvals?: ApprovalDocument[];
}

/**
 * A validated network allowlist. Build it with `parseAllowlist` or
 * `allowlistFromObject` (which validate); decide with `explainRequest`.
 */
export class Allowlist {
  /** Where the allowlist came from (a file path or a description), quoted in every message. */
  readonly source: string;
  /** `domains:` entries, in file order. */
  readonly domains: readonly DomainRule[];
  /** `url_prefixes:` entries, in file order (the first full match wins). */
  readonly urlPrefixes: readonly UrlPrefixRule[];
  /** Conversation approvals of this task, tried after the repository's entries (see `approval-overlay.ts`). */
  readonly approvals: readonly ApprovalRule[];

  /** Use `parseAllowlist` or `allowlistFromObject`: this constructor trusts its input to be valid. */
  constructor(source: string, document: AllowlistDocument, approvals: readonly ApprovalRule[] = []) {
    this.source = source;
    this.approvals = Object.freeze([...approvals]);
    this.domains = document.domains.map((host, index) => ({
      kind: 'domain',
      index,
      host,
      hostMatcher: compilePattern(host, { caseInsensitive: true }),
    }));
    this.urlPrefixes = document.url_prefixes.map((entry, index) => ({
      kind: 'url_prefix',
      index,
      host: entry.host,
      path: entry.path,
      methods: entry.methods.map((m) => m.toUpperCase()),
      hostMatcher: compilePattern(entry.host, { caseInsensitive: true }),
      pathMatcher: entry.path === '' ? undefined : compilePattern(entry.path),
      graphql: entry.graphql === undefined ? undefined : Object.freeze({
        queries: Object.freeze([...entry.graphql.queries]),
        mutations: Object.freeze([...entry.graphql.mutations]),
        subscriptions: Object.freeze([...entry.graphql.subscriptions]),
      }),
    }));
    Object.freeze(this);
  }

  /** True when nothing at all is allowed (an empty file, `{}`, or empty lists, and no approvals). */
  get isEmpty(): boolean {
    return this.domains.length === 0 && this.urlPrefixes.length === 0 && this.approvals.length === 0;
  }

  /**
   * This allowlist with `approvals` laid over it (replacing any it had): the
   * repository's entries are unchanged; each approval adds exactly its
   * method, host and path.
   * @throws AllowlistError (`ALLOWLIST_INVALID`) when an approval is malformed
   */
  withApprovals(approvals: readonly ApprovalDocument[]): Allowlist {
    const { approvals: _, ...document } = this.toJSON();
    return new Allowlist(this.source, document, approvalRules(approvals, `${this.source} (conversation approvals)`));
  }

  /** The JSON form for the proxy container (see {@link AllowlistDocument}). */
  toJSON(): AllowlistDocument {
    return {
      domains: this.domains.map((d) => d.host),
      url_prefixes: this.urlPrefixes.map((u) => ({
        host: u.host,
        path: u.path,
        methods: [...u.methods],
        ...(u.graphql === undefined ? {} : {
          graphql: { queries: [...u.graphql.queries], mutations: [...u.graphql.mutations], subscriptions: [...u.graphql.subscriptions] },
        }),
      })),
      ...(this.approvals.length === 0 ? {} : { approvals: this.approvals.map(approvalDocument) }),
    };
  }
}

/**
 * The entry as text for messages, e.g. `domains[0] "api.anthropic.com"` or
 * `url_prefixes[1] (host "api.github.com", path "/repos/*", methods GET, HEAD)`.
 */
export function describeRule(rule: AllowlistRule): string {
  if (rule.kind === 'domain') {
    return `domains[${rule.index}] ${JSON.stringify(rule.host)}`;
  }
  const path = rule.path === '' ? 'any path' : `path ${JSON.stringify(rule.path)}`;
  const methods = rule.methods.length === 0 ? 'any method' : `methods ${rule.methods.join(', ')}`;
  const graphql = rule.graphql === undefined ? '' : ', graphql operations filtered';
  return `url_prefixes[${rule.index}] (host ${JSON.stringify(rule.host)}, ${path}, ${methods}${graphql})`;
}
