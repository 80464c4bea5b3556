import { html, type SafeHtml } from '../html.js';
import type { ConversationView, ReplyView } from '../source.js';
import { layout } from './layout.js';
import { taskTable } from './task-rows.js';

function money(value: number): string {
  return `$${value.toFixed(4)}`;
}

function replyItem(reply: ReplyView, index: number): SafeHtml {
  const tokens = `${reply.usage.input_tokens ?? 0} in / ${reply.usage.output_tokens ?? 0} out`;
  return html`<li class="reply${reply.isError ? ' error' : ''}" data-task-id="${reply.taskId}">
<p class="reply-head"><strong>Reply ${index + 1}</strong> · ${reply.timestamp} · <a href="/tasks/${reply.taskId}">task ${reply.taskId}</a>${reply.isError ? ' · error' : ''}</p>
<p class="reply-facts">${(reply.durationMs / 1000).toFixed(1)} s · ${reply.numTurns} turns · ${tokens} · ${money(reply.costUsd)}${reply.sessionId === '' ? '' : html` · session <code>${reply.sessionId}</code>`}</p>
<details><summary>Request</summary><pre>${reply.requestText}</pre></details>
<pre class="response">${reply.responseText}</pre>
</li>`;
}

/** Requests approved from the thread (`allow N`) that the conversation's next runs may still reach. */
function approvalsSection(approvals: NonNullable<ConversationView['approvals']>): SafeHtml {
  if (approvals.length === 0) return html``;
  return html`<h2>Approvals in effect</h2>
<table class="approvals" id="approvals"><thead><tr><th>Request</th><th>Approved by</th><th>Until</th><th></th></tr></thead><tbody>
${approvals.map((a) => html`<tr><td><code>${a.method} ${a.host}${a.pathPrefix}</code></td><td>${a.approvedBy}</td><td><time datetime="${a.expiresAt}">${a.expiresAt.slice(0, 16).replace('T', ' ')} UTC</time></td><td><button type="button" class="danger revoke" data-method="${a.method}" data-host="${a.host}" data-path-prefix="${a.pathPrefix}">Revoke</button><span class="revoke-result" role="status"></span></td></tr>`)}
</tbody></table>
<p class="muted">Only these exact method, host and path (any query) are added to the repository's allowlist, for this conversation's runs; the repository is unchanged. Revoke ends one at once for the next runs (a run already going keeps it until it ends).</p>`;
}

/** The conversation page: its totals, every task (live and recorded) and every reply sent. */
export function renderConversationPage(version: string, conversation: ConversationView): string {
  const { replies } = conversation;
  const cost = replies.reduce((sum, reply) => sum + reply.costUsd, 0);
  const turns = replies.reduce((sum, reply) => sum + reply.numTurns, 0);
  return layout(`Conversation ${conversation.conversationId}`, version, html`<nav class="crumbs"><a href="/">Overview</a> / Conversation ${conversation.conversationId}</nav>
<section data-page="conversation" data-conversation-id="${conversation.conversationId}">
<h1>Conversation <code>${conversation.conversationId}</code></h1>
<dl class="facts">
<dt>Repo</dt><dd>${conversation.repoId}</dd>
<dt>Model</dt><dd>${conversation.model ?? '—'}</dd>
<dt>Replies</dt><dd id="reply-count">${replies.length}</dd>
<dt>Total cost</dt><dd>${money(cost)}</dd>
<dt>Total turns</dt><dd>${turns}</dd>
</dl>
${approvalsSection(conversation.approvals ?? [])}
<h2>Tasks</h2>
${taskTable(conversation.tasks, 'conversation-tasks')}
<h2>Replies</h2>
${replies.length === 0 ? html`<p class="muted">No replies yet.</p>` : html`<ol class="replies">${replies.map(replyItem)}</ol>`}
</section>`).value;
}
