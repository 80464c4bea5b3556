/**
 * Conversation approvals: requests a user let through from the thread, laid
 * over the repository's allowlist for one task. Each one names exactly one
 * method, one host and one path: it is compared as plain text, never as a
 * pattern, so it cannot widen to another method, host or path.
 *
 * The path rule (the strict reading): an approval for `/simple/x` allows the
 * request target `/simple/x` and the same path with any query string
 * (`/simple/x?page=2`), since a blocked entry counts those together; it does
 * not allow `/simple/xyz`, `/simple/x/`, `/simple/x/y` or another spelling of
 * the same path (`/simple/%78`). The request target is compared as the client
 * sent it, before percent-decoding, as the blocked entry recorded it.
 */
import { AllowlistError, type AllowlistProblem } from './error.js';

/** One approval as the host hands it to the proxy (snake_case, beside the repository's entries). */
export interface ApprovalDocument {
  /** Upper-case method, e.g. `GET`. */
  method: string;
  /** Lower-case host name, no port, no wildcard. */
  host: string;
  /** The request path without its query string, starting with `/`. */
  path_prefix: string;
  /** Who approved it (the authenticated sender). */
  approved_by: string;
  /** ISO 8601; the host stops handing it over from then on. */
  expires_at: string;
}

/** A validated approval, as the proxy decides with it. */
export interface ApprovalRule {
  readonly kind: 'approval';
  /** Position in `approvals`, for messages. */
  readonly index: number;
  readonly method: string;
  readonly host: string;
  readonly pathPrefix: string;
  readonly approvedBy: string;
  readonly expiresAt: string;
}

const METHOD = /^[A-Z]{1,20}$/;
const HOST_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;
// Printable ASCII without space, `?` and `#`: what a path of a request target can hold once its query is cut.
const PATH = /^\/[\x21-\x22\x24-\x3e\x40-\x7e]*$/;

/** Why `doc` cannot be an approval, or undefined when it can. */
export function findApprovalProblem(doc: unknown): { key: string; message: string } | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { key: '', message: 'must be an object {method, host, path_prefix, approved_by, expires_at}' };
  const record = doc as Record<string, unknown>;
  const known = new Set(['method', 'host', 'path_prefix', 'approved_by', 'expires_at']);
  const unknown = Object.keys(record).find((key) => !known.has(key));
  if (unknown !== undefined) return { key: unknown, message: `is not a known key (known: ${[...known].join(', ')})` };
  const { method, host, path_prefix: path, approved_by: by, expires_at: expires } = record;
  if (typeof method !== 'string' || !METHOD.test(method) || method === 'CONNECT') {
    return { key: 'method', message: `${JSON.stringify(method)} is not an upper-case HTTP method other than CONNECT` };
  }
  if (typeof host !== 'string' || host.length > 253 || !host.split('.').every((label) => HOST_LABEL.test(label))) {
    return { key: 'host', message: `${JSON.stringify(host)} is not a lower-case host name (no port, no wildcard)` };
  }
  if (typeof path !== 'string' || !PATH.test(path)) {
    return { key: 'path_prefix', message: `${JSON.stringify(path)} is not a request path without query (starting with "/", printable, no "?" or "#")` };
  }
  if (typeof by !== 'string' || by.trim() === '') return { key: 'approved_by', message: 'must name who approved it' };
  if (typeof expires !== 'string' || Number.isNaN(Date.parse(expires))) {
    return { key: 'expires_at', message: `${JSON.stringify(expires)} is not an ISO 8601 time` };
  }
  return undefined;
}

/**
 * Validates the `approvals` list handed to the proxy.
 * @throws AllowlistError (`ALLOWLIST_INVALID`) listing every problem
 */
export function approvalRules(value: unknown, source: string): ApprovalRule[] {
  if (!Array.isArray(value)) throw new AllowlistError(source, [{ path: 'approvals', message: 'must be a list' }]);
  const problems: AllowlistProblem[] = [];
  value.forEach((doc, i) => {
    const problem = findApprovalProblem(doc);
    if (problem !== undefined) problems.push({ path: `approvals[${i}]${problem.key === '' ? '' : `.${problem.key}`}`, message: problem.message });
  });
  if (problems.length > 0) throw new AllowlistError(source, problems);
  return (value as ApprovalDocument[]).map((doc, index) => Object.freeze({
    kind: 'approval' as const,
    index,
    method: doc.method,
    host: doc.host,
    pathPrefix: doc.path_prefix,
    approvedBy: doc.approved_by,
    expiresAt: doc.expires_at,
  }));
}

/** The JSON form of a rule (see {@link ApprovalDocument}). */
export function approvalDocument(rule: ApprovalRule): ApprovalDocument {
  return { method: rule.method, host: rule.host, path_prefix: rule.pathPrefix, approved_by: rule.approvedBy, expires_at: rule.expiresAt };
}

/** The request target without its query string (or a fragment a client should not send). */
export function targetPath(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/**
 * The approval that allows this request, if any: same upper-case method,
 * same host (already normalised: lower case, no port or trailing dot), and
 * the request target's path without its query equal to the approved path.
 */
export function findApproval(rules: readonly ApprovalRule[], method: string, host: string, target: string): ApprovalRule | undefined {
  const path = targetPath(target);
  return rules.find((rule) => rule.method === method && rule.host === host && rule.pathPrefix === path);
}

/** `approvals[0] (GET pkgs.test/simple/x, approved by ada@example.com until 2026-12-07T03:00:00.000Z)`. */
export function describeApprovalRule(rule: ApprovalRule): string {
  return `approvals[${rule.index}] (${rule.method} ${rule.host}${rule.pathPrefix}, approved by ${rule.approvedBy} until ${rule.expiresAt})`;
}
