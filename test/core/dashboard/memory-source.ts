import type { DashboardEvent, DashboardSource, StopResult, TaskView } from '../../../src/core/dashboard/source.js';
import type { RepoView, TaskCounts } from '../../../src/core/dashboard/state.js';

/** A dashboard source held in memory: tests add tasks and push run events. */
export class MemorySource implements DashboardSource {
  readonly taskMap = new Map<string, TaskView>();
  readonly stopped: string[] = [];
  repoList: RepoView[] = [{ id: 'demo', state: 'running', channels: [{ kind: 'email', state: 'idle' }], rejected: [] }];
  generation = 1;
  lastReloadError: string | undefined;
  private readonly listeners = new Set<(event: DashboardEvent) => void>();

  version(): string {
    return '9.9.9-test';
  }
  configPath(): string {
    return '/tmp/airut-test/airut.yaml';
  }
  configExists(): boolean {
    return true;
  }
  repos(): RepoView[] {
    return this.repoList;
  }
  tasks(): TaskView[] {
    return [...this.taskMap.values()];
  }
  task(taskId: string): TaskView | undefined {
    return this.taskMap.get(taskId);
  }
  counts(): TaskCounts {
    const counts = { queued: 0, running: 0, completed: 0, failed: 0 };
    for (const task of this.taskMap.values()) counts[task.state]++;
    return counts;
  }
  stopTask(taskId: string): Promise<StopResult> {
    const task = this.taskMap.get(taskId);
    if (task === undefined) return Promise.resolve('not_found');
    if (task.state !== 'running') return Promise.resolve('not_running');
    this.stopped.push(taskId);
    this.update(taskId, { state: 'failed', reason: 'interrupted', finishedAt: new Date(0).toISOString() });
    return Promise.resolve('stopping');
  }
  configStatus() {
    return { path: this.configPath(), generation: this.generation, fileHash: 'abc123', lastReloadError: this.lastReloadError };
  }
  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adds a task (queued unless told otherwise) and announces it. */
  add(taskId: string, fields: Partial<TaskView> = {}): TaskView {
    const task: TaskView = {
      taskId, repoId: 'demo', conversationId: undefined, title: `Task ${taskId}`, sender: 'user@example.test', state: 'queued', reason: undefined,
      queuedAt: new Date(0).toISOString(), startedAt: undefined, finishedAt: undefined, ...fields,
    };
    this.taskMap.set(taskId, task);
    this.emit({ type: 'task', task });
    return task;
  }

  /** Changes a task and announces it. */
  update(taskId: string, fields: Partial<TaskView>): void {
    const task = { ...this.taskMap.get(taskId), ...fields } as TaskView;
    this.taskMap.set(taskId, task);
    this.emit({ type: 'task', task });
  }

  emit(event: DashboardEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
