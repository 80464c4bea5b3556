import { html } from '../html.js';
import { layout } from './layout.js';

/**
 * The config editor page. The form itself is built in the browser by
 * `/static/config-editor.js` from `GET /api/config` (schema plus masked
 * values), so the same model drives the page and the API.
 */
export function renderConfigPage(version: string, configPath: string, configExists: boolean): string {
  // The script shows whichever fits the file as it is when the form loads (a save may create it).
  const where = html`<p class="config-path" id="config-path"${configExists ? '' : ' hidden'}>Editing <code>${configPath}</code>. Saving writes the file (mode 0600); <code>airut serve</code> picks up the change.</p>
<div class="banner info" id="no-config"${configExists ? ' hidden' : ''}><strong>No configuration file yet.</strong> This is where it will be written: <code>${configPath}</code>.
Add a repository below with an email or Slack channel, then review and save to create it.</div>`;
  return layout('Configuration', version, html`<section data-page="config" class="config-editor">
<h1>Configuration</h1>
${where}
<div id="config-banner" class="banner" role="alert" hidden></div>
<div id="config-problems" class="banner error" hidden><strong>Problems</strong><ul></ul></div>
<form id="config-form" autocomplete="off" novalidate><p class="loading">Loading the form…</p></form>
<div class="save-bar">
<span id="config-status" role="status">No unsaved changes</span>
<button type="button" id="discard-config" disabled>Discard</button>
<button type="button" id="review-config" disabled>Review changes</button>
<button type="button" id="save-config" class="primary" disabled>Save</button>
</div>
<section id="config-review" hidden><h2>Changes to <code>${configPath}</code></h2><pre id="config-diff" class="diff"></pre></section>
</section>
<script type="module" src="/static/config-editor.js"></script>`).value;
}
