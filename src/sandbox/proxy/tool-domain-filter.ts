/**
 * The Anthropic tool-domain trim (TDT-01/02). Server-side tools of the
 * Messages API (`web_fetch_*`, `web_search_*`, `code_execution_*`, ...) fetch
 * URLs from Anthropic's side, where the proxy never sees them: through the
 * one request every allowlist opens (`POST /v1/messages`), an agent could
 * read any URL with the operator's key. This filter narrows every such
 * tool's `allowed_domains` to hosts the repository's allowlist itself opens
 * for GET, and refuses configurations it cannot narrow.
 */
import type { Allowlist } from '../network/allowlist/allowlist.js';
import type { BodyFilter, FilterRequest, FilterResult } from './body-filter.js';
import { parseStrictJson } from './strict-json.js';

/** The Messages API host; the filter runs for it whatever allowlist entry matched. */
export const ANTHROPIC_HOST = 'api.anthropic.com';

/** Tool type prefixes (any dated version, any case) that fetch on the agent's behalf. */
const COVERED_PREFIXES = ['web_fetch_', 'web_search_', 'computer_', 'bash_', 'code_execution_'];
/** Tools that refuse `allowed_domains: []` upstream: an empty list is expressed by removing the key (they then search unrestricted; snippets only). */
const EMPTY_MEANS_REMOVE_PREFIXES = ['web_search_'];
/** Anthropic's own request limit, rounded up: the proxy is never the tighter bound. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Dropped domains named in a tag; the rest are counted. */
const MAX_NAMED_DOMAINS = 10;

const REQUEST_ACCESS = 'To let a tool fetch a host, open that host for GET in .airut/network-allowlist.yaml (a domains entry, or a url_prefixes entry without path) and submit a PR.';

const MESSAGES_PATH = '/v1/messages';

/**
 * True for `/v1/messages` and everything under it, on the decoded path:
 * `/…` and `?…` as in the reference, and also `;…`, `.…` or any other
 * character a server could read as the end of the name, in any case (a
 * router that ignores case or strips `;params` must not see an unfiltered
 * Messages request). Only a longer name (`/v1/messages_legacy`) is not it.
 */
export function isMessagesPath(path: string): boolean {
  if (path.length < MESSAGES_PATH.length || path.slice(0, MESSAGES_PATH.length).toLowerCase() !== MESSAGES_PATH) return false;
  return !/^[A-Za-z0-9_-]/.test(path.slice(MESSAGES_PATH.length));
}

/**
 * True when `host` is open for GET on every path: a `domains` entry matches,
 * or a `url_prefixes` entry without path whose methods are empty or include GET.
 * `allowed_domains` on Anthropic's side is host-only, so nothing narrower counts.
 */
export function isHostGetOpen(allowlist: Allowlist, host: string): boolean {
  const lower = host.toLowerCase();
  if (allowlist.domains.some((rule) => rule.hostMatcher.test(lower))) return true;
  return allowlist.urlPrefixes.some((rule) => rule.pathMatcher === undefined
    && (rule.methods.length === 0 || rule.methods.includes('GET'))
    && rule.hostMatcher.test(lower));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function hasPrefix(type: string, prefixes: readonly string[]): boolean {
  const lower = type.toLowerCase();
  return prefixes.some((prefix) => lower.startsWith(prefix));
}

/** An `allowed_domains` item that is not one bare host name. */
function isWildcardDomain(item: Json): boolean {
  return typeof item !== 'string' || item === '' || item.startsWith('.') || /[*?\s]/u.test(item);
}

function formatDomains(domains: readonly string[]): string {
  const shown = domains.slice(0, MAX_NAMED_DOMAINS).join(',');
  return domains.length > MAX_NAMED_DOMAINS ? `${shown},+${domains.length - MAX_NAMED_DOMAINS} more` : shown;
}

function block(error: string, message: string, detail: string, tag: string): FilterResult {
  return { action: 'block', block: { error, message, detail }, tag };
}

/** Applies the rules to one `tools` array, in place; returns a block, or undefined with notes added. */
function trimTools(tools: Json[], isOpen: (host: string) => boolean, notes: string[]): FilterResult | undefined {
  for (const tool of tools) {
    if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) continue;
    const type = tool.type;
    if (typeof type !== 'string' || !hasPrefix(type, COVERED_PREFIXES)) continue;

    if (Object.hasOwn(tool, 'blocked_domains')) {
      const blocked = tool.blocked_domains;
      if (!Array.isArray(blocked) || blocked.length > 0) {
        return block('blocklist_tool_config_unsupported',
          `Server-side tool ${JSON.stringify(type)} uses 'blocked_domains', which the airut network proxy does not support: a blocklist cannot be reconciled with the network allowlist. Use 'allowed_domains' instead; it is trimmed to the hosts the allowlist opens. ${REQUEST_ACCESS}`,
          type, `${type}: blocked-domains`);
      }
    }

    const emptyMeansRemove = hasPrefix(type, EMPTY_MEANS_REMOVE_PREFIXES);
    const allowed = tool.allowed_domains;
    if (!Array.isArray(allowed)) {
      if (emptyMeansRemove) continue;
      tool.allowed_domains = [];
      notes.push(`${type}: forced allowed_domains: []`);
      continue;
    }
    if (allowed.some(isWildcardDomain)) {
      return block('wildcard_tool_domain_unsupported',
        `Server-side tool ${JSON.stringify(type)} lists an 'allowed_domains' entry that is not a bare host name (empty, not a string, or with '*', '?', whitespace or a leading '.'). Wildcards are not supported by the airut network proxy; list each host. ${REQUEST_ACCESS}`,
        type, `${type}: wildcard`);
    }
    const original = allowed as string[];
    const kept = original.filter(isOpen);
    if (kept.length === 0 && emptyMeansRemove) {
      delete tool.allowed_domains;
      notes.push(original.length > 0
        ? `${type}: cleared allowed_domains (${original.length} outside allowlist: ${formatDomains(original)})`
        : `${type}: removed empty allowed_domains`);
    } else if (kept.length !== original.length) {
      tool.allowed_domains = kept;
      const dropped = original.filter((d) => !kept.includes(d));
      notes.push(`${type}: dropped ${dropped.length} of ${original.length} domains: ${formatDomains(dropped)}`);
    }
  }
  return undefined;
}

/**
 * Parses a Messages API body and trims every `tools` array found anywhere in
 * it (an explicit stack, so Batches' `requests[].params.tools` is covered and
 * no nesting overflows anything). Exported for unit tests and benchmarks.
 */
export function checkToolDomains(body: Buffer, isOpen: (host: string) => boolean): FilterResult {
  // No body, no tools (e.g. GET /v1/messages/batches lists batches).
  if (body.length === 0) return { action: 'pass' };
  let root: Json;
  try {
    root = parseStrictJson(body) as Json;
  } catch (error) {
    return block('tool_config_invalid',
      `The request body is not JSON the airut network proxy can vouch for (${(error as Error).message.slice(0, 200)}). The proxy parses Anthropic Messages request bodies to trim server-side tools' 'allowed_domains'; send plain, valid JSON.`,
      '<invalid-json>', '<invalid-json>');
  }
  if (typeof root !== 'object' || root === null) return { action: 'pass' };

  const notes: string[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Json;
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'tools' && Array.isArray(value)) {
          const blocked = trimTools(value, isOpen, notes);
          if (blocked !== undefined) return blocked;
          // Tool definitions themselves may nest further objects (input schemas); those hold no tools arrays that matter, but walk them anyway.
          for (const item of value) if (typeof item === 'object' && item !== null) stack.push(item);
        } else if (typeof value === 'object' && value !== null) {
          stack.push(value);
        }
      }
    }
  }
  if (notes.length === 0) return { action: 'pass' };
  // Compact, non-ASCII kept as is (escaping would only inflate the body).
  return { action: 'rewrite', body: Buffer.from(JSON.stringify(root), 'utf8'), tag: notes.join('; ') };
}

/** The `tool-domains` filter for a task's allowlist. */
export function toolDomainFilter(allowlist: Allowlist): BodyFilter {
  const isOpen = (host: string): boolean => isHostGetOpen(allowlist, host);
  return {
    name: 'tool-domains',
    maxBodyBytes: MAX_BODY_BYTES,
    applies: (request: FilterRequest) => request.host === ANTHROPIC_HOST && isMessagesPath(request.path),
    apply: (_request, body) => checkToolDomains(body, isOpen),
    tooLarge: () => block('tool_config_too_large',
      `The request body exceeds the ${MAX_BODY_BYTES / (1024 * 1024)} MiB the airut network proxy parses for Anthropic Messages requests.`,
      '<too-large>', '<too-large>'),
  };
}
