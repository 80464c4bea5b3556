import type { Receipt } from '../../receipt/index.js';
import { html } from '../html.js';
import type { TaskView } from '../source.js';
import { layout } from './layout.js';
import { renderReceiptSection } from './task-receipt.js';

/**
 * The task page. The transcript, network log and totals are filled in by the
 * client script, so the page and the live view share one renderer: from the
 * task's event stream (replayed from its start) while it is live, or from its
 * run as recorded on disk (`/api/tasks/<id>/record`) once it has finished.
 * A finished task's receipt, when it has one, is rendered here.
 */
export function renderTaskPage(version: string, task: TaskView, receipt?: Receipt): string {
  const live = task.state === 'queued' || task.state === 'running';
  const conversation = task.conversationId === undefined
    ? html`—`
    : html`<a id="conversation-link" href="/conversations/${task.conversationId}">${task.conversationId}</a>`;
  return layout(`Task ${task.taskId}`, version, html`<nav class="crumbs"><a href="/">Overview</a>${task.conversationId === undefined ? '' : html` / <a href="/conversations/${task.conversationId}">Conversation ${task.conversationId}</a>`} / Task ${task.taskId}</nav>
<section data-page="task" data-task-id="${task.taskId}" data-source="${live ? 'live' : 'record'}">
<h1>Task <code>${task.taskId}</code></h1>
<p class="title">${task.title}</p>
<dl class="facts">
<dt>Repo</dt><dd>${task.repoId}</dd>
<dt>Conversation</dt><dd>${conversation}</dd>
<dt>From</dt><dd>${task.sender}</dd>
<dt>State</dt><dd id="task-state" class="${task.state}">${task.state}${task.reason === undefined ? '' : ` (${task.reason})`}</dd>
<dt>Started</dt><dd id="task-started">${task.startedAt ?? '—'}</dd>
<dt>Finished</dt><dd id="task-finished">${task.finishedAt ?? '—'}</dd>
<dt>Outcome</dt><dd id="task-outcome">—</dd>
<dt>Duration</dt><dd id="task-duration">—</dd>
<dt>Turns</dt><dd id="task-turns">—</dd>
<dt>Tokens</dt><dd id="task-tokens">—</dd>
<dt>Cost</dt><dd id="task-cost">—</dd>
</dl>
<ol id="holds" class="holds" aria-label="Held requests waiting for an answer" hidden></ol>
<p><button id="stop-task" type="button" class="danger"${live ? '' : ' disabled'}>Stop</button> <span id="stop-result" role="status"></span></p>
<h2>Progress</h2>
<ul id="todos" class="todos"></ul>
<h2>Transcript</h2>
<ol id="transcript" class="transcript"></ol>
<h2>Reply</h2>
<pre id="reply-text" class="reply">—</pre>
${renderReceiptSection(receipt)}
<h2>Network</h2>
<p><label><input type="checkbox" id="blocked-only"> Blocked only</label></p>
<ol id="network" class="network"></ol>
</section>`).value;
}
