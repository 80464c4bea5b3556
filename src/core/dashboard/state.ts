import type { RepoView, TaskCounts } from './views.js';

export type { RepoView, TaskCounts } from './views.js';

/** What the dashboard shows; supplied by the running service. */
export interface DashboardState {
  version: string;
  configPath: string;
  configExists: boolean;
  repos: RepoView[];
  tasks: TaskCounts;
}
