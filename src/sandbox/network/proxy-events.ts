/**
 * What the proxy program prints on stdout: one JSON object per line, so the
 * host can follow a task's network activity live (a tail callback) without
 * reading the log file.
 *
 * Lines, in order of appearance:
 *
 * - `{"event":"waiting"}` (only with `--await-task`) once the program is loaded and waits
 *   for the `start` line on stdin.
 * - `{"event":"log","kind":"TASK_START","level":"info","line":"=== TASK START 2026-11-27T11:03:40Z ===","time":"2026-11-27T11:03:40.123Z"}`
 * - `{"event":"ready","http_port":80,"https_port":443,"dns_port":53}` once every listener is bound.
 *   With `--await-task` it also carries `"health_ms":500`: a `health` event follows at about
 *   that interval for as long as the proxy serves.
 * - `{"event":"health","dns":"ok"}` (only with `--await-task`, after `ready`): the proxy asked its
 *   own DNS responder and got an answer; otherwise `dns` says what went wrong. The host treats
 *   missing reports like a failed probe: the proxy is frozen or stuck.
 * - `{"event":"log","kind":K,"level":L,"line":TEXT,"time":ISO}` for each line also written to
 *   `network-sandbox.log` (`line` is byte-for-byte the file's line without the newline).
 *   `kind` is one of {@link NetworkLogKind}; `level` is `warn` for BLOCKED, ERROR, STRIPPED, WARNING,
 *   COLLAPSED and BUDGET (NLG-05: they deserve the operator's attention), `info` otherwise.
 *   An ALLOWED or BLOCKED line also carries `access` ({@link AccessRecord}); a USAGE line
 *   carries `usage` ({@link UsageRecord}), a BUDGET line (a request refused because a spending
 *   cap was reached) `budget` ({@link BudgetRecord}). Older proxies send none: all are optional.
 * - `{"event":"fatal","code":CODE,"message":TEXT,"hint":TEXT|null}` when the program cannot
 *   start; it then exits with status 1.
 * - `{"event":"hold","id":"h1","method":"GET","host":"pkgs.test","path":"/simple/x","expires_in_ms":30000}`
 *   (only with `--await-task` after the host sent `{"hold_ms":N}`): a request the allowlist
 *   blocked waits for the host's `{"decide":"h1","allow":true|false}` on stdin, at most
 *   `expires_in_ms`. `path` is the request path without its query.
 * - `{"event":"hold_end","id":"h1","outcome":"allowed"|"denied"|"expired"|"closed"}` when it stopped waiting.
 * - `{"event":"stopped"}` (only with `--await-task`) after stdin closed and every listener
 *   and the log were closed: no log line follows. The program then exits with status 0.
 *
 * Nothing else is ever written to stdout. Unknown fields must be ignored by
 * readers, so fields can be added later.
 */

/** The kinds of network log lines (NLG-02..04 and DNS-04). */
export type NetworkLogKind = 'TASK_START' | 'ALLOWED' | 'BLOCKED' | 'ERROR' | 'STRIPPED' | 'COLLAPSED' | 'WARNING' | 'DNS' | 'USAGE' | 'BUDGET';

/** One request's access line as data: what was asked, what was decided, what it moved. */
export interface AccessRecord {
  allowed: boolean;
  method: string;
  /** `http` or `https`; empty for a CONNECT refusal, whose target is not a URL. */
  scheme: string;
  /** The host the request was judged by (for CONNECT: its `host:port` target). */
  host: string;
  /** The request target: path and query, as the client sent it. */
  path: string;
  /** The status sent to the client; null when none was sent. */
  status: number | null;
  /** Body bytes sent upstream (0 when nothing went upstream). */
  bytes_up: number;
  /** Body bytes received from upstream, as they came (still encoded). */
  bytes_down: number;
  /** Names of the credentials the proxy filled in for this request, never values. */
  credentials: string[];
  /** Set when a conversation approval (no entry of the repository's allowlist) let the request through: who approved it. */
  approved_by?: string;
}

/** Token usage of one Messages API response, and what it cost. */
export interface UsageRecord {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** USD from the price table; null when the model has no price there. */
  cost_usd: number | null;
  /**
   * USD counted against cost budgets: `cost_usd`, or at the table's dearest
   * prices when the model has none. Absent from older proxies.
   */
  counted_usd?: number;
  method: string;
  url: string;
}

/** One network log line as an event. */
export interface NetworkLogEvent {
  event: 'log';
  kind: NetworkLogKind;
  level: 'info' | 'warn';
  /** The log line, without its newline. */
  line: string;
  /** When the line was written (ISO 8601, UTC, milliseconds). */
  time: string;
  /** On ALLOWED and BLOCKED lines. */
  access?: AccessRecord;
  /** On USAGE lines. */
  usage?: UsageRecord;
  /** On BUDGET lines. */
  budget?: BudgetRecord;
}

/** A request the proxy refused because a spending cap of the task was reached (a BUDGET line). */
export interface BudgetRecord {
  /** The config key (or flag) that sets the cap, e.g. `budgets.cost_usd.run`. */
  name: string;
  unit: 'usd' | 'bytes';
  limit: number;
  /** Spent against the cap, earlier runs included when the cap spans them. */
  spent: number;
  method: string;
  url: string;
}

/** The listeners are bound; the ports are the actual ones (useful when 0 was configured). */
export interface ReadyEvent {
  event: 'ready';
  http_port: number;
  https_port: number;
  dns_port: number;
  /** Present when `health` events follow, about this many ms apart. */
  health_ms?: number;
}

/** A serving proxy's periodic self-check (`--await-task`). */
export interface HealthEvent {
  event: 'health';
  /** `ok`, or what went wrong when the proxy asked its own DNS responder. */
  dns: string;
}

/** The program could not start. */
export interface FatalEvent {
  event: 'fatal';
  code: string;
  message: string;
  hint: string | null;
}

/** Loaded and waiting for `start` on stdin (`--await-task`). */
export interface WaitingEvent {
  event: 'waiting';
}

/** Stopped after stdin closed (`--await-task`); nothing follows. */
export interface StoppedEvent {
  event: 'stopped';
}

/** How a hold ended: only `allowed` lets the request (and its entry) through. */
export type HoldOutcome = 'allowed' | 'denied' | 'expired' | 'closed';

/** A blocked request held for the host's decision (`--await-task` with holds on). */
export interface HoldEvent {
  event: 'hold';
  id: string;
  method: string;
  host: string;
  /** The request path without its query: the entry an allow lets through. */
  path: string;
  expires_in_ms: number;
}

/** A hold stopped waiting. */
export interface HoldEndEvent {
  event: 'hold_end';
  id: string;
  outcome: HoldOutcome;
}

/** Any line of the proxy program's stdout. */
export type ProxyEvent = NetworkLogEvent | ReadyEvent | HealthEvent | FatalEvent | WaitingEvent | StoppedEvent | HoldEvent | HoldEndEvent;

const KINDS: ReadonlySet<string> = new Set(['TASK_START', 'ALLOWED', 'BLOCKED', 'ERROR', 'STRIPPED', 'COLLAPSED', 'WARNING', 'DNS', 'USAGE', 'BUDGET']);

/**
 * Reads one stdout line of the proxy program; undefined for anything that is
 * not a well-formed event (a reader must survive a stray line, e.g. a Node
 * warning the runtime printed).
 */
export function parseProxyEvent(line: string): ProxyEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not JSON: not an event.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  switch (record.event) {
    case 'log':
      if (typeof record.kind === 'string' && KINDS.has(record.kind) && typeof record.line === 'string'
        && (record.level === 'info' || record.level === 'warn') && typeof record.time === 'string') {
        const log: NetworkLogEvent = { event: 'log', kind: record.kind as NetworkLogKind, level: record.level, line: record.line, time: record.time };
        // A malformed record is left out, the line kept: the line is what the log file holds.
        const access = parseAccess(record.access);
        if (access !== undefined) log.access = access;
        const usage = parseUsage(record.usage);
        if (usage !== undefined) log.usage = usage;
        const budget = parseBudget(record.budget);
        if (budget !== undefined) log.budget = budget;
        return log;
      }
      return undefined;
    case 'ready':
      if (isPort(record.http_port) && isPort(record.https_port) && isPort(record.dns_port)) {
        const ready: ReadyEvent = { event: 'ready', http_port: record.http_port, https_port: record.https_port, dns_port: record.dns_port };
        if (typeof record.health_ms === 'number' && Number.isInteger(record.health_ms) && record.health_ms > 0) ready.health_ms = record.health_ms;
        return ready;
      }
      return undefined;
    case 'health':
      return typeof record.dns === 'string' ? { event: 'health', dns: record.dns } : undefined;
    case 'waiting':
    case 'stopped':
      return { event: record.event };
    case 'fatal':
      if (typeof record.code === 'string' && typeof record.message === 'string') {
        return { event: 'fatal', code: record.code, message: record.message, hint: typeof record.hint === 'string' ? record.hint : null };
      }
      return undefined;
    case 'hold':
      if (typeof record.id === 'string' && typeof record.method === 'string' && typeof record.host === 'string'
        && typeof record.path === 'string' && isCount(record.expires_in_ms)) {
        return { event: 'hold', id: record.id, method: record.method, host: record.host, path: record.path, expires_in_ms: record.expires_in_ms };
      }
      return undefined;
    case 'hold_end':
      if (typeof record.id === 'string' && typeof record.outcome === 'string' && HOLD_OUTCOMES.has(record.outcome)) {
        return { event: 'hold_end', id: record.id, outcome: record.outcome as HoldOutcome };
      }
      return undefined;
    default:
      return undefined;
  }
}

const HOLD_OUTCOMES: ReadonlySet<string> = new Set(['allowed', 'denied', 'expired', 'closed']);

function parseAccess(value: unknown): AccessRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.allowed !== 'boolean' || typeof r.method !== 'string' || typeof r.scheme !== 'string' || typeof r.host !== 'string'
    || typeof r.path !== 'string' || !(r.status === null || isCount(r.status))) return undefined;
  const credentials = Array.isArray(r.credentials) ? r.credentials.filter((c): c is string => typeof c === 'string') : [];
  return {
    allowed: r.allowed, method: r.method, scheme: r.scheme, host: r.host, path: r.path, status: r.status,
    bytes_up: isCount(r.bytes_up) ? r.bytes_up : 0, bytes_down: isCount(r.bytes_down) ? r.bytes_down : 0, credentials,
    ...(typeof r.approved_by === 'string' ? { approved_by: r.approved_by } : {}),
  };
}

function parseUsage(value: unknown): UsageRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.model !== 'string' || !isCount(r.input_tokens) || !isCount(r.output_tokens) || !isCount(r.cache_creation_input_tokens)
    || !isCount(r.cache_read_input_tokens) || !(r.cost_usd === null || (typeof r.cost_usd === 'number' && r.cost_usd >= 0))
    || typeof r.method !== 'string' || typeof r.url !== 'string') return undefined;
  return {
    model: r.model, input_tokens: r.input_tokens, output_tokens: r.output_tokens, cache_creation_input_tokens: r.cache_creation_input_tokens,
    cache_read_input_tokens: r.cache_read_input_tokens, cost_usd: r.cost_usd, method: r.method, url: r.url,
    ...(isAmount(r.counted_usd) ? { counted_usd: r.counted_usd } : {}),
  };
}

function parseBudget(value: unknown): BudgetRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.name !== 'string' || (r.unit !== 'usd' && r.unit !== 'bytes') || !isAmount(r.limit) || !isAmount(r.spent)
    || typeof r.method !== 'string' || typeof r.url !== 'string') return undefined;
  return { name: r.name, unit: r.unit, limit: r.limit, spent: r.spent, method: r.method, url: r.url };
}

function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
}
