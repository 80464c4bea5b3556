import { closeSync, openSync, writeSync } from 'node:fs';
import { formatAmount } from './budget.js';
import type { AccessRecord, BudgetRecord, NetworkLogEvent, NetworkLogKind, UsageRecord } from '../network/proxy-events.js';

/** Annotations of an access line, printed in this order when non-zero (NLG-03). */
export interface AccessAnnotations {
  /** Request-body filter tags, `name: tag` each (e.g. `tool-domains: web_fetch_20250910: forced allowed_domains: []`). */
  filters?: readonly string[];
  /** (secret, header) pairs whose surrogate was replaced. */
  masked?: number;
  /** Foreign credential headers removed. */
  dropped?: number;
  /** The region of a request re-signed with an AWS key. */
  region?: string;
  /** A parenthesised reason for blocks that are not allowlist misses (CONNECT, host mismatch). */
  note?: string;
  /** Body bytes sent upstream: `[up: N]`. */
  bytesUp?: number;
  /** Body bytes received from upstream: `[down: N]`. */
  bytesDown?: number;
  /** Names of the credentials filled in (structured event only: the count is `[masked: N]`). */
  credentials?: readonly string[];
  /** Who approved the request for the conversation, when an approval (not the repository's allowlist) let it through: `[approved by: X]`. */
  approvedBy?: string;
}

const WARN_KINDS: ReadonlySet<NetworkLogKind> = new Set(['BLOCKED', 'ERROR', 'STRIPPED', 'COLLAPSED', 'WARNING', 'BUDGET']);

/**
 * Writes `network-sandbox.log` (NLG-01..05): appended, one `write` per line so
 * every line lands whole even if the process dies, and mirrored to `onEvent`.
 *
 * Every text that came from the client (URLs, header names, DNS names) goes
 * through {@link printable} before it reaches a line, so a request can never
 * forge or split log lines.
 */
export class NetworkLog {
  private readonly fd: number | undefined;
  private readonly onEvent: (event: NetworkLogEvent) => void;
  private readonly now: () => Date;
  private closed = false;
  /** False once a write failed (a full disk): lines then only go to `onEvent`. */
  private writable = true;

  /**
   * Opens `path` for appending (creating it if needed); without a path the
   * lines only go to `onEvent` (the host then writes the file).
   * @throws the `open` error; the caller turns it into a typed error.
   */
  constructor(path: string | undefined, options: { onEvent?: (event: NetworkLogEvent) => void; now?: () => Date } = {}) {
    this.fd = path === undefined ? undefined : openSync(path, 'a', 0o644);
    this.onEvent = options.onEvent ?? (() => undefined);
    this.now = options.now ?? (() => new Date());
  }

  /** `=== TASK START 2026-11-27T11:03:40Z ===` (UTC, whole seconds). */
  taskStart(): void {
    const stamp = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.write('TASK_START', `=== TASK START ${stamp} ===`);
  }

  /**
   * `ALLOWED|BLOCKED METHOD URL -> STATUS [filter: tag]... [masked: N] [dropped: N] [region: R] [up: N] [down: N]`;
   * status `?` when no response was sent. The event carries the same as an {@link AccessRecord}.
   */
  access(allowed: boolean, method: string, url: string, status: number | undefined, annotations: AccessAnnotations = {}): void {
    let line = `${allowed ? 'ALLOWED' : 'BLOCKED'} ${printable(method)} ${printable(url)} -> ${status ?? '?'}`;
    if (annotations.note !== undefined) line += ` (${printable(annotations.note)})`;
    for (const tag of annotations.filters ?? []) line += ` [${printable(tag)}]`;
    if (annotations.masked) line += ` [masked: ${annotations.masked}]`;
    if (annotations.dropped) line += ` [dropped: ${annotations.dropped}]`;
    if (annotations.region !== undefined) line += ` [region: ${printable(annotations.region)}]`;
    if (annotations.approvedBy !== undefined) line += ` [approved by: ${printable(annotations.approvedBy)}]`;
    if (annotations.bytesUp) line += ` [up: ${annotations.bytesUp}]`;
    if (annotations.bytesDown) line += ` [down: ${annotations.bytesDown}]`;
    const parts = /^(https?):\/\/([^/?]*)(.*)$/.exec(url);
    const access: AccessRecord = {
      allowed,
      method: printable(method),
      scheme: parts?.[1] ?? '',
      host: printable(parts?.[2] ?? url),
      path: printable(parts?.[3] ?? ''),
      status: status ?? null,
      bytes_up: annotations.bytesUp ?? 0,
      bytes_down: annotations.bytesDown ?? 0,
      credentials: [...(annotations.credentials ?? [])],
      ...(annotations.approvedBy === undefined ? {} : { approved_by: printable(annotations.approvedBy) }),
    };
    this.write(allowed ? 'ALLOWED' : 'BLOCKED', line, { access });
  }

  /**
   * `USAGE model in=N out=N cache_write=N cache_read=N cost=$0.0123` (or
   * `cost=unknown (no price for model)`) for one Messages API response.
   */
  usage(usage: UsageRecord): void {
    const cost = usage.cost_usd === null ? `cost=unknown (no price for ${printable(usage.model)})` : `cost=$${usage.cost_usd.toFixed(4)}`;
    const line = `USAGE ${printable(usage.model)} in=${usage.input_tokens} out=${usage.output_tokens}`
      + ` cache_write=${usage.cache_creation_input_tokens} cache_read=${usage.cache_read_input_tokens} ${cost}`;
    this.write('USAGE', line, { usage: { ...usage, model: printable(usage.model), method: printable(usage.method), url: printable(usage.url) } });
  }

  /**
   * `BUDGET METHOD URL -> refused (budgets.cost_usd.run: spent $0.0300 of $0.0300)`: a request
   * refused because a spending cap of the task was reached.
   */
  budget(record: BudgetRecord): void {
    const amount = (n: number): string => formatAmount(record.unit, n);
    const line = `BUDGET ${printable(record.method)} ${printable(record.url)} -> refused (${printable(record.name)}: spent ${amount(record.spent)} of ${amount(record.limit)})`;
    this.write('BUDGET', line, { budget: { ...record, name: printable(record.name), method: printable(record.method), url: printable(record.url) } });
  }

  /** `ERROR METHOD URL -> message`, for a request whose upstream leg failed (or a connection that failed before any request). */
  error(method: string, url: string, message: string): void {
    this.write('ERROR', `ERROR ${printable(method)} ${printable(url)} -> ${printable(message)}`);
  }

  /**
   * `ERROR CLIENT 10.199.1.3 "REQUEST LINE" -> what went wrong`, for a
   * connection that failed before any request could be read (a malformed
   * request, a client that left mid-request). The peer is an address, not a
   * URL: no host was asked for. The request line is left out when there is none.
   */
  clientError(peer: string, requestLine: string | undefined, problem: string): void {
    const quoted = requestLine === undefined ? '' : ` "${printable(requestLine).replaceAll('"', '%22')}"`;
    this.write('ERROR', `ERROR CLIENT ${printable(peer)}${quoted} -> ${printable(problem)}`);
  }

  /** `STRIPPED header 'name' from METHOD URL (foreign credential blocked)`. */
  stripped(header: string, method: string, url: string): void {
    this.write('STRIPPED', `STRIPPED header '${printable(header.toLowerCase())}' from ${printable(method)} ${printable(url)} (foreign credential blocked)`);
  }

  /** `COLLAPSED n duplicate 'name' headers in METHOD URL (duplicate credential headers removed)`. */
  collapsed(count: number, header: string, method: string, url: string): void {
    this.write('COLLAPSED', `COLLAPSED ${count} duplicate '${printable(header)}' headers in ${printable(method)} ${printable(url)} (duplicate credential headers removed)`);
  }

  /** A `WARNING: ...` line the proxy composed (the AWS clock-skew warning, NLG-04). */
  warning(line: string): void {
    this.write('WARNING', printable(line));
  }

  /** `DNS A name -> 10.199.1.100` or `DNS AAAA name -> NOTIMP`; `name` must already be in presentation form. */
  dns(type: string, name: string, answer: string): void {
    this.write('DNS', `DNS ${type} ${printable(name)} -> ${answer}`);
  }

  /** Closes the file. Later writes are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
  }

  private write(kind: NetworkLogKind, line: string, fields: Pick<NetworkLogEvent, 'access' | 'usage' | 'budget'> = {}): void {
    if (this.fd !== undefined && this.writable && !this.closed) {
      try {
        writeSync(this.fd, `${line}\n`);
      } catch (cause) {
        // A full disk must not take the proxy down mid-task; the event stream still carries the lines.
        this.writable = false;
        const message = cause instanceof Error ? cause.message : String(cause);
        this.onEvent({ event: 'log', kind: 'ERROR', level: 'warn', line: `ERROR LOG network-sandbox.log -> ${printable(message)}`, time: this.now().toISOString() });
      }
    }
    this.onEvent({ event: 'log', kind, level: WARN_KINDS.has(kind) ? 'warn' : 'info', line, time: this.now().toISOString(), ...fields });
  }
}

/**
 * `text` with every byte outside printable ASCII percent-encoded, so it fits on
 * one log line and cannot fake another. Typical URLs pass unchanged.
 */
export function printable(text: string): string {
  // Fast path: the common case allocates nothing.
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
