import { html, type SafeHtml } from '../html.js';
import type { TaskView } from '../source.js';

/** One row of a task table; the client script builds the same markup for live rows. */
export function taskRow(task: TaskView): SafeHtml {
  return html`<tr data-task-id="${task.taskId}" class="task ${task.state}"><td><a href="/tasks/${task.taskId}">${task.taskId}</a></td><td>${task.repoId}</td><td class="state">${task.state}${task.reason === undefined ? '' : ` (${task.reason})`}</td><td>${task.title}</td><td>${task.sender}</td></tr>`;
}

/** The live task table of the overview page. */
export function taskTable(tasks: readonly TaskView[]): SafeHtml {
  const newestFirst = [...tasks].reverse();
  return html`<table class="tasks"><thead><tr><th>Task</th><th>Repo</th><th>State</th><th>Title</th><th>From</th></tr></thead>
<tbody id="task-rows">${newestFirst.map(taskRow)}</tbody></table>`;
}
