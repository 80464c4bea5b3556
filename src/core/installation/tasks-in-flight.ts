import { setTimeout as delay } from 'node:timers/promises';

/** Tasks the running service reports, from its `/api/health`. */
export interface TasksInFlight {
  running: number;
  queued: number;
}

/** The fetch the health probe uses; the global one by default. */
export type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status?: number; json(): Promise<unknown> }>;

const HEALTH_TIMEOUT_MS = 3_000;

function count(value: unknown): number | undefined {
  if (value === undefined) return 0;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Asks the local service how many tasks are running or queued. `undefined` when
 * it does not answer or answers something else: no service is running there, so
 * nothing can be interrupted.
 */
export async function readTasksInFlight(dashboardUrl: string, fetchHealth: FetchLike = fetch): Promise<TasksInFlight | undefined> {
  let body: unknown;
  try {
    const response = await fetchHealth(`${dashboardUrl}/api/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    // 503 is a service whose repos all failed: it still answers with its task counts.
    if (!response.ok && response.status !== 503) return undefined;
    body = await response.json();
  } catch {
    // Refused, timed out or not JSON: treated as "no service here".
    return undefined;
  }
  const tasks = (body as { tasks?: unknown } | null)?.tasks;
  if (typeof tasks !== 'object' || tasks === null) return undefined;
  const running = count((tasks as Record<string, unknown>).running);
  const queued = count((tasks as Record<string, unknown>).queued);
  return running === undefined || queued === undefined ? undefined : { running, queued };
}

/** True when `tasks` holds anything that an update would interrupt. */
export function isBusy(tasks: TasksInFlight | undefined): tasks is TasksInFlight {
  return tasks !== undefined && tasks.running + tasks.queued > 0;
}

/** Options of {@link waitUntilIdle}. */
export interface WaitOptions {
  fetchHealth?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  /** First pause between polls; doubled after each until {@link WaitOptions.maxDelayMs}. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  report?: (line: string) => void;
}

/** Formats task counts the way update prints them. */
export function describeTasks(tasks: TasksInFlight): string {
  return `${tasks.running} running, ${tasks.queued} queued`;
}

/**
 * Polls the service with backoff until no task runs or waits, or until it no
 * longer answers (it stopped: nothing left to interrupt).
 */
export async function waitUntilIdle(dashboardUrl: string, options: WaitOptions = {}): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const maxDelay = options.maxDelayMs ?? 30_000;
  let pause = options.firstDelayMs ?? 1_000;
  for (;;) {
    await sleep(pause);
    pause = Math.min(pause * 2, maxDelay);
    const tasks = await readTasksInFlight(dashboardUrl, options.fetchHealth);
    if (!isBusy(tasks)) return;
    options.report?.(`Still waiting: ${describeTasks(tasks)}.`);
  }
}
