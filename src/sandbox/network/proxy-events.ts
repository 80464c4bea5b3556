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
 *   `kind` is one of {@link NetworkLogKind}; `level` is `warn` for BLOCKED, ERROR, STRIPPED, WARNING
 *   and COLLAPSED (NLG-05: they deserve the operator's attention), `info` otherwise.
 * - `{"event":"fatal","code":CODE,"message":TEXT,"hint":TEXT|null}` when the program cannot
 *   start; it then exits with status 1.
 * - `{"event":"stopped"}` (only with `--await-task`) after stdin closed and every listener
 *   and the log were closed: no log line follows. The program then exits with status 0.
 *
 * Nothing else is ever written to stdout. Unknown fields must be ignored by
 * readers, so fields can be added later.
 */

/** The kinds of network log lines (NLG-02..04 and DNS-04). */
export type NetworkLogKind = 'TASK_START' | 'ALLOWED' | 'BLOCKED' | 'ERROR' | 'STRIPPED' | 'COLLAPSED' | 'WARNING' | 'DNS';

/** One network log line as an event. */
export interface NetworkLogEvent {
  event: 'log';
  kind: NetworkLogKind;
  level: 'info' | 'warn';
  /** The log line, without its newline. */
  line: string;
  /** When the line was written (ISO 8601, UTC, milliseconds). */
  time: string;
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

/** Any line of the proxy program's stdout. */
export type ProxyEvent = NetworkLogEvent | ReadyEvent | HealthEvent | FatalEvent | WaitingEvent | StoppedEvent;

const KINDS: ReadonlySet<string> = new Set(['TASK_START', 'ALLOWED', 'BLOCKED', 'ERROR', 'STRIPPED', 'COLLAPSED', 'WARNING', 'DNS']);

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
        return { event: 'log', kind: record.kind as NetworkLogKind, level: record.level, line: record.line, time: record.time };
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
    default:
      return undefined;
  }
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
}
