import { html, type SafeHtml } from '../html.js';
import type { TaskView } from '../source.js';

/** One row of a task table; the client script builds the same markup for live rows. */
export function taskRow(task: TaskView): SafeHtml {
  const conversation = task.conversationId === undefined ? '' : html`<a href="/conversations/${task.conversationId}">${task.conversationId}</a>`;
  return html`<tr data-task-id="${task.taskId}" class="task ${task.state}"><td><a href="/tasks/${task.taskId}">${task.taskId}</a></td><td>${task.repoId}</td><td class="conversation">${conversation}</td><td class="state">${task.state}${task.reason === undefined ? '' : ` (${task.reason})`}</td><td>${task.title}</td><td>${task.sender}</td></tr>`;
}

/**
 * A task table, newest first (`tasks` come oldest first). The overview's
 * table (id `task-rows`) is kept up to date live by the client script.
 */
export function taskTable(tasks: readonly TaskView[], bodyId = 'task-rows'): SafeHtml {
  const newestFirst = [...tasks].reverse();
  return html`<table class="tasks"><thead><tr><th>Task</th><th>Repo</th><th>Conversation</th><th>State</th><th>Title</th><th>From</th></tr></thead>
<tbody id="${bodyId}">${newestFirst.map(taskRow)}</tbody></table>`;
}
