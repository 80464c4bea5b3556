import { html, type SafeHtml } from '../html.js';
import type { TaskView } from '../source.js';
import type { DashboardState, RepoView } from '../state.js';
import { layout } from './layout.js';
import { taskTable } from './task-rows.js';

function emptyState(state: DashboardState): SafeHtml {
  const where = state.configExists
    ? html`<p>The configuration at <code>${state.configPath}</code> has no repos yet.</p>`
    : html`<p>No configuration file yet. Airut looks for it at <code>${state.configPath}</code>.</p>`;
  return html`<section class="empty">
<h1>No repositories configured</h1>
${where}
<p>Add a repository with an email or Slack channel to start taking instructions.
See <code>config/airut.example.yaml</code> for a commented example and <code>man airut.yaml</code> for every key.</p>
<p><a class="button" href="/config">Configure</a></p>
</section>`;
}

/** A repo's row; the page script updates it from `repo` events (browser/overview-page.ts). */
function repoRow(repo: RepoView): SafeHtml {
  const error = repo.lastError === undefined || repo.state === 'running' ? '' : ` — ${repo.lastError.type}: ${repo.lastError.message}`;
  const channels = repo.channels.map((channel) => html`<span class="channel ${channel.state}" title="${channel.lastError ?? ''}">${channel.kind}: ${channel.state}${channel.lastError === undefined ? '' : ` — ${channel.lastError}`}</span> `);
  return html`<tr class="repo ${repo.state}" data-repo-id="${repo.id}"><td><a href="/repos/${repo.id}">${repo.id}</a></td><td class="state">${repo.state}${error}</td><td class="channels">${channels}</td></tr>`;
}

/**
 * The overview page: repos with channel state, task counts and the task list:
 * this run's tasks (oldest first in `tasks`, kept live by the client script)
 * above finished tasks of earlier runs read from disk (`past`, newest first).
 */
export function renderOverview(state: DashboardState, tasks: readonly TaskView[] = [], past: readonly TaskView[] = []): string {
  const counts = state.tasks;
  const body = state.repos.length === 0
    ? emptyState(state)
    : html`<h1>Repositories</h1>
<table class="repos"><thead><tr><th>Repo</th><th>State</th><th>Channels</th></tr></thead><tbody>
${state.repos.map(repoRow)}
</tbody></table>`;
  return layout('Overview', state.version, html`${body}
<section class="tasks" data-page="overview"><h2>Tasks</h2>
<p><span class="count" id="count-running">${counts.running}</span> running · <span class="count" id="count-queued">${counts.queued}</span> queued · <span class="count" id="count-completed">${counts.completed}</span> completed · <span class="count" id="count-failed">${counts.failed}</span> failed</p>
${taskTable([...[...past].reverse(), ...tasks])}
</section>`).value;
}
