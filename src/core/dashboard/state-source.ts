import type { DashboardSource } from './source.js';
import type { DashboardState } from './state.js';

/**
 * A source over a plain state snapshot function: counts and repos only, no
 * task list, no stop, no live events. What `airut serve` passes until it hands
 * the dashboard a full {@link DashboardSource}.
 */
export function sourceFromState(state: () => DashboardState): DashboardSource {
  return {
    version: () => state().version,
    configPath: () => state().configPath,
    configExists: () => state().configExists,
    repos: () => state().repos,
    tasks: () => [],
    task: () => undefined,
    counts: () => state().tasks,
    stopTask: () => Promise.resolve('unsupported'),
    configStatus: () => ({ path: state().configPath, generation: 1, fileHash: undefined, lastReloadError: undefined }),
    subscribe: () => () => undefined,
  };
}
