/** Styles of the config editor page, appended to the dashboard stylesheet. */
export const EDITOR_CSS = `
.config-editor .banner { border-radius: 6px; padding: .6rem .9rem; margin: .75rem 0; border: 1px solid #8886; }
.config-editor .banner.info { background: #3b6fd81a; border-color: #3b6fd866; }
.config-editor .banner.error { background: #c0392b1a; border-color: #c0392b88; }
.config-editor .banner.warning { background: #d89b3b22; border-color: #d89b3b88; }
.config-editor .banner.success { background: #2e9e5b1f; border-color: #2e9e5b88; }
.config-editor .banner ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.config-editor fieldset { border: 1px solid #8884; border-radius: 8px; margin: .75rem 0; padding: .5rem 1rem .75rem; }
.config-editor fieldset.depth-1 { background: #8880a; }
.config-editor fieldset.depth-1 > legend { font-size: 1.1rem; }
.config-editor legend { font-weight: 700; padding: 0 .3rem; }
.config-editor details { border: 1px solid #8884; border-radius: 8px; margin: .5rem 0; padding: .3rem .9rem; }
.config-editor details[open] { padding-bottom: .6rem; }
.config-editor summary { font-weight: 600; cursor: pointer; padding: .15rem 0; }
.config-editor legend button, .config-editor summary button, .config-editor .field label button { margin-left: .6rem; font-weight: 400; font-size: .85rem; padding: .15rem .6rem; }
.config-editor .field { display: grid; grid-template-columns: 14rem 1fr; gap: .15rem 1rem; align-items: start; margin: .55rem 0; }
.config-editor .field label { font: 600 13px/1.9 ui-monospace, monospace; overflow-wrap: anywhere; }
.config-editor .field.required label::after { content: " *"; color: #c0392b; }
.config-editor .field .help, .config-editor .field .field-error { grid-column: 2; }
.config-editor .help { color: var(--muted); font-size: .85rem; margin: 0; }
.config-editor .field-error { color: #c0392b; font-size: .85rem; margin: 0; font-weight: 600; }
.config-editor .field-error:empty { display: none; }
.config-editor .invalid > input, .config-editor .invalid > select, .config-editor .invalid > textarea { border-color: #c0392b; outline: 1px solid #c0392b; }
.config-editor input, .config-editor select, .config-editor textarea { font: 14px ui-monospace, monospace; padding: .3rem .45rem; border: 1px solid #8888; border-radius: 4px; background: transparent; color: inherit; width: 100%; box-sizing: border-box; }
.config-editor .add-entry { display: flex; gap: .5rem; align-items: center; margin: .5rem 0; }
.config-editor .add-entry input { max-width: 18rem; }
.config-editor button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid #8888; background: #8881; color: inherit; cursor: pointer; }
.config-editor button.primary { background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; }
.config-editor button.remove { border-color: #c0392b88; color: #c0392b; }
.config-editor .save-bar { position: sticky; bottom: 0; display: flex; gap: .6rem; align-items: center; justify-content: flex-end; padding: .6rem 0; border-top: 1px solid #8884; background: Canvas; }
.config-editor .save-bar #config-status { margin-right: auto; color: var(--muted); }
.config-editor pre.diff { font: 13px/1.45 ui-monospace, monospace; border: 1px solid #8884; border-radius: 6px; padding: .5rem; overflow-x: auto; white-space: pre; }
.config-editor pre.diff .add { background: #2e9e5b26; display: block; }
.config-editor pre.diff .del { background: #c0392b26; display: block; }
.config-editor pre.diff .hunk { color: var(--accent); display: block; }
.config-editor pre.diff .file { font-weight: 700; display: block; }
.config-editor pre.diff .ctx { display: block; }
`;
