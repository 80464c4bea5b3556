import { html } from '../html.js';
import { layout } from './layout.js';

/**
 * The page of one repo. Its state, channels, rejected messages and
 * schedules are rendered by the page script from `/api/repos/<id>` and kept
 * live by `repo` events, so the first view and the updates share one renderer.
 */
export function renderRepoPage(version: string, repoId: string): string {
  return layout(`Repo ${repoId}`, version, html`<nav class="crumbs"><a href="/">Overview</a> / Repo ${repoId}</nav>
<section data-page="repo" data-repo-id="${repoId}">
<h1>Repo <code>${repoId}</code></h1>
<div id="repo-body"><p class="none">Loading…</p></div>
</section>`).value;
}
