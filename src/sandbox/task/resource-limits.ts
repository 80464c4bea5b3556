import { TaskError } from './error.js';

/** Limits applied to a task's container. Every field is optional; absent means unlimited. */
export interface ResourceLimits {
  /** Memory with a unit, e.g. `512m`, `2g`; swap is set equal, so the container has none. */
  memory?: string;
  /** CPUs, e.g. `1.5`; at least 0.01. */
  cpus?: number;
  /** Maximum number of processes; at least 1. */
  pidsLimit?: number;
}

/** The shortest wall-clock timeout a task accepts, in seconds. */
export const MIN_TIMEOUT_SECONDS = 10;

/**
 * Checks a timeout and resource limits, throwing `TASK_LIMIT_INVALID` with the
 * bad value, where it came from (`source`, e.g. `airut.yaml:repos.x.resource_limits`)
 * and what is valid.
 */
export function validateLimits(timeoutSeconds: number | undefined, limits: ResourceLimits, source = 'task options'): void {
  const bad = (field: string, value: unknown, valid: string): TaskError =>
    new TaskError('TASK_LIMIT_INVALID', `${source}: ${field} ${JSON.stringify(value)} is invalid`, { hint: `${field} must be ${valid}.` });
  if (timeoutSeconds !== undefined && !(Number.isFinite(timeoutSeconds) && timeoutSeconds >= MIN_TIMEOUT_SECONDS)) {
    throw bad('timeout', timeoutSeconds, `a number of seconds >= ${MIN_TIMEOUT_SECONDS}`);
  }
  if (limits.memory !== undefined && !/^[1-9]\d*[bkmg]$/i.test(limits.memory)) {
    throw bad('memory', limits.memory, 'a positive whole number with a unit b, k, m or g, like "512m" or "2g"');
  }
  if (limits.cpus !== undefined && !(Number.isFinite(limits.cpus) && limits.cpus >= 0.01)) {
    throw bad('cpus', limits.cpus, 'a number >= 0.01, like 2 or 0.5');
  }
  if (limits.pidsLimit !== undefined && !(Number.isInteger(limits.pidsLimit) && limits.pidsLimit >= 1)) {
    throw bad('pids_limit', limits.pidsLimit, 'a whole number >= 1');
  }
}
