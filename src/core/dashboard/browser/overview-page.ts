import type { RepoView, TaskCounts, TaskView } from '../views.js';
import { byId, el, eventData } from './dom.js';
import { channelSummary } from './repo-render.js';

/** One row of the task table, as the server renders it (pages/task-rows.ts). */
function taskRow(task: TaskView): HTMLTableRowElement {
  const row = el('tr', `task ${task.state}`);
  row.dataset.taskId = task.taskId;
  const idCell = el('td');
  const link = el('a', '', task.taskId);
  link.href = `/tasks/${task.taskId}`;
  idCell.appendChild(link);
  row.appendChild(idCell);
  row.appendChild(el('td', '', task.repoId));
  const conversationCell = el('td', 'conversation');
  if (task.conversationId !== undefined) {
    const conversationLink = el('a', '', task.conversationId);
    conversationLink.href = `/conversations/${task.conversationId}`;
    conversationCell.appendChild(conversationLink);
  }
  row.appendChild(conversationCell);
  row.appendChild(el('td', 'state', task.state + (task.reason === undefined ? '' : ` (${task.reason})`)));
  row.appendChild(el('td', '', task.title));
  row.appendChild(el('td', '', task.sender));
  return row;
}

/** Updates a repo's row of the repo table, when the page has one. */
function updateRepoRow(repo: RepoView): void {
  const row = document.querySelector(`tr[data-repo-id="${CSS.escape(repo.id)}"]`);
  if (row === null) return;
  row.className = `repo ${repo.state}`;
  const state = row.querySelector('td.state');
  if (state !== null) state.textContent = repo.state + (repo.lastError === undefined || repo.state === 'running' ? '' : ` — ${repo.lastError.type}: ${repo.lastError.message}`);
  const channels = row.querySelector('td.channels');
  if (channels === null) return;
  channels.textContent = '';
  for (const channel of repo.channels) {
    const span = el('span', `channel ${channel.state}`, channelSummary(channel));
    span.title = channel.lastError ?? '';
    channels.append(span, ' ');
  }
}

/** The overview: task rows, counts and repo rows kept live. */
export function overviewPage(root: HTMLElement): void {
  const rows = byId('task-rows');
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => { root.dataset.live = 'open'; });
  source.addEventListener('task', (message) => {
    const { task } = eventData<{ task: TaskView }>(message);
    const fresh = taskRow(task);
    const old = rows.querySelector(`tr[data-task-id="${CSS.escape(task.taskId)}"]`);
    if (old !== null) rows.replaceChild(fresh, old);
    else rows.insertBefore(fresh, rows.firstChild);
    root.dataset.lastTask = `${task.taskId}:${task.state}`;
  });
  source.addEventListener('counts', (message) => {
    const { counts } = eventData<{ counts: TaskCounts }>(message);
    for (const key of ['running', 'queued', 'completed', 'failed'] as const) {
      const node = document.getElementById(`count-${key}`);
      if (node !== null) node.textContent = String(counts[key]);
    }
  });
  source.addEventListener('repo', (message) => {
    updateRepoRow(eventData<{ repo: RepoView }>(message).repo);
  });
  source.addEventListener('reset', () => { location.reload(); });
}
