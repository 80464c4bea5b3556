import { isDeepStrictEqual } from 'node:util';
import type { ServerConfig } from '../config/index.js';

/** What a reload changes, by the scope it applies in. */
export interface ConfigChanges {
  added: string[];
  removed: string[];
  /** Repos whose block differs in any key (each restarts once it is idle). */
  changed: string[];
  /** `execution` keys that take effect at once (the concurrency limit and the values read on use). */
  live: string[];
  /** `execution` and `network` keys the sandbox and runners are built with (every repo restarts once the service is idle). */
  runtime: string[];
  /** `dashboard` keys of its listener (it restarts once the service is idle). */
  dashboard: string[];
}

/** `execution` keys read on use, or applied live. */
const LIVE_EXECUTION = new Set(['max_concurrent', 'shutdown_timeout', 'conversation_max_age_days', 'image_prune']);

/** Compares two valid configs. */
export function diffConfig(before: ServerConfig, after: ServerConfig): ConfigChanges {
  const ids = (c: ServerConfig): string[] => Object.keys(c.repos);
  const execution = changedKeys(before.execution, after.execution);
  return {
    added: ids(after).filter((id) => before.repos[id] === undefined),
    removed: ids(before).filter((id) => after.repos[id] === undefined),
    changed: ids(after).filter((id) => before.repos[id] !== undefined && !isDeepStrictEqual(before.repos[id], after.repos[id])),
    live: execution.filter((k) => LIVE_EXECUTION.has(k)).map((k) => `execution.${k}`),
    runtime: [
      ...execution.filter((k) => !LIVE_EXECUTION.has(k)).map((k) => `execution.${k}`),
      ...changedKeys(before.network, after.network).map((k) => `network.${k}`),
    ],
    dashboard: changedKeys(before.dashboard, after.dashboard).filter((k) => k !== 'base_url').map((k) => `dashboard.${k}`),
  };
}

/** The settings repos are built with (`execution` less its live keys, and `network`), for telling whether two configs need different runtimes. */
export function sameRuntime(a: ServerConfig, b: ServerConfig): boolean {
  const fixed = (c: ServerConfig): object => ({
    execution: Object.fromEntries(Object.entries(c.execution).filter(([k]) => !LIVE_EXECUTION.has(k))),
    network: c.network,
  });
  return isDeepStrictEqual(fixed(a), fixed(b));
}

function changedKeys(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k])).sort();
}
