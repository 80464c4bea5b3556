/** A repo as the dashboard lists it. */
export interface RepoView {
  id: string;
  channels: { kind: 'email' | 'slack'; state: string; lastError?: string }[];
}

/** Task counts by status, as `/api/health` reports them. */
export interface TaskCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
}

/** What the dashboard shows; supplied by the running service. */
export interface DashboardState {
  version: string;
  configPath: string;
  configExists: boolean;
  repos: RepoView[];
  tasks: TaskCounts;
}
