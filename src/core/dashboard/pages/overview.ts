import { html, type SafeHtml } from '../html.js';
import type { DashboardState } from '../state.js';
import { layout } from './layout.js';

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

/** The overview page: repos with channel state and task counts. */
export function renderOverview(state: DashboardState): string {
  const counts = state.tasks;
  const body = state.repos.length === 0
    ? emptyState(state)
    : html`<h1>Repositories</h1>
<table class="repos"><thead><tr><th>Repo</th><th>Channels</th></tr></thead><tbody>
${state.repos.map((repo) => html`<tr><td>${repo.id}</td><td>${repo.channels.map((channel) => html`<span class="channel ${channel.state}">${channel.kind}: ${channel.state}</span> `)}</td></tr>`)}
</tbody></table>`;
  return layout('Overview', state.version, html`${body}
<section class="tasks"><h2>Tasks</h2>
<p><span class="count">${counts.running}</span> running · <span class="count">${counts.queued}</span> queued · <span class="count">${counts.completed}</span> completed · <span class="count">${counts.failed}</span> failed</p>
</section>`).value;
}
