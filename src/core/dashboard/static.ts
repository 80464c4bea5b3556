import { EDITOR_CSS } from './editor-style.js';

/** The dashboard's stylesheet, served as `/static/dashboard.css` (no build step). */
export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --accent: #3b6fd8; --muted: #777; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1.5rem; border-bottom: 1px solid #8884; }
header .brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: inherit; }
header .version { color: var(--muted); font-size: .85rem; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
code { font-family: ui-monospace, monospace; background: #8882; padding: 0 .25rem; border-radius: 3px; }
.empty { border: 1px dashed #8886; border-radius: 8px; padding: 1.5rem; }
.button { display: inline-block; background: var(--accent); color: #fff; padding: .5rem 1rem; border-radius: 6px; text-decoration: none; font-weight: 600; }
.count { font-weight: 700; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #8883; }
button.danger { background: #c0392b; color: #fff; border: 0; padding: .45rem 1rem; border-radius: 6px; font-weight: 600; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
ol.holds { list-style: none; padding: 0; }
ol.holds li.hold { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; border: 1px solid #d89b3b; border-left-width: 4px; border-radius: 6px; background: #d89b3b18; padding: .5rem .75rem; margin: .5rem 0; }
ol.holds li.hold::before { content: "Blocked, waiting for your answer:"; font-weight: 600; }
ol.holds li.hold .left { color: var(--muted); }
table.approvals tr.revoked td:not(:last-child) { text-decoration: line-through; color: var(--muted); }
button.allow { background: #2e8b57; color: #fff; border: 0; padding: .45rem 1rem; border-radius: 6px; font-weight: 600; cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
ol.transcript, ol.network, ul.todos { list-style: none; padding: 0; }
ol.transcript li { border-left: 3px solid #8886; margin: .5rem 0; padding: .25rem .75rem; }
ol.transcript li.assistant { border-color: var(--accent); }
ol.transcript li.tool-call { border-color: #d89b3b; }
ol.transcript li.error { border-color: #c0392b; }
ol.transcript .label { font-weight: 600; font-size: .85rem; color: var(--muted); }
ol.transcript pre { white-space: pre-wrap; margin: .2rem 0; font: 13px/1.4 ui-monospace, monospace; }
ol.network li { font: 13px/1.4 ui-monospace, monospace; padding: .15rem .4rem; }
ol.network li.blocked { background: #c0392b22; color: #c0392b; font-weight: 600; }
ol.network li .hint { font: 13px system-ui, sans-serif; margin: .1rem 0 .3rem; color: inherit; }
ol.network.blocked-only li:not(.blocked) { display: none; }
ul.todos li.completed { color: var(--muted); text-decoration: line-through; }
tr.task.running td.state { color: var(--accent); font-weight: 600; }
tr.task.failed td.state { color: #c0392b; }
nav.crumbs { font-size: .9rem; color: var(--muted); margin-bottom: .5rem; }
ol.replies { list-style: none; padding: 0; }
ol.replies li.reply { border-left: 3px solid var(--accent); margin: 1rem 0; padding: .25rem .75rem; }
ol.replies li.reply.error { border-color: #c0392b; }
ol.replies .reply-facts { color: var(--muted); font-size: .85rem; margin: 0; }
pre.response, pre.reply, ol.replies details pre { white-space: pre-wrap; font: 13px/1.4 ui-monospace, monospace; }
${EDITOR_CSS}`;
