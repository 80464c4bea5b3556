import { html } from '../html.js';
import { layout } from './layout.js';

/** The config page until the editor exists: where the file is and how to edit it. */
export function renderConfigHelp(version: string, configPath: string): string {
  return layout('Configure', version, html`<h1>Configure</h1>
<p>Airut reads its configuration from <code>${configPath}</code>. Start from the commented example
<code>config/airut.example.yaml</code> shipped with the package, check it with <code>airut check</code>,
and restart <code>airut serve</code>.</p>`).value;
}
