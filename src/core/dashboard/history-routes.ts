import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderConversationPage } from './pages/conversation.js';
import { renderTaskPage } from './pages/task.js';
import { send, sendJson } from './respond.js';
import type { DashboardSource } from './source.js';

const HTML = 'text/html; charset=utf-8';
const CONVERSATION_ID = '([0-9a-f]{8})';
const TASK_ID = '([0-9a-f]{6,32})';

/**
 * Pages and API endpoints over conversations and recorded runs:
 *
 * - `GET /conversations/<id>` and `GET /api/conversations/<id>`;
 * - `GET /conversation/<id>` redirects there (the link the gateway puts in acknowledgements and reply footers);
 * - `GET /api/tasks/<id>/record`: a task's run as recorded on disk;
 * - `GET /tasks/<id>` and `GET /api/tasks/<id>` for tasks the live list no longer holds (earlier starts),
 *   and the page of a finished task of this start too, with its receipt.
 *
 * Returns false for any other request, so the caller routes it on.
 */
export async function routeHistory(req: IncomingMessage, res: ServerResponse, path: string, source: DashboardSource): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let match: RegExpExecArray | null;
  if ((match = new RegExp(`^/conversation/${CONVERSATION_ID}$`).exec(path)) !== null) {
    send(res, 301, 'text/plain; charset=utf-8', '', { Location: `/conversations/${match[1] ?? ''}` });
    return true;
  }
  if ((match = new RegExp(`^/(api/)?conversations/([^/]+)$`).exec(path)) !== null) {
    const id = decodeURIComponent(match[2] ?? '');
    const conversation = new RegExp(`^${CONVERSATION_ID}$`).test(id) ? await source.conversation?.(id) : undefined;
    if (conversation === undefined) {
      sendJson(res, 404, { error: 'conversation_not_found', message: `no conversation ${JSON.stringify(id)} in any configured repo (ids are 8 hex characters; old ones are removed after execution.conversation_max_age_days)` });
    } else if (match[1] === undefined) {
      send(res, 200, HTML, renderConversationPage(source.version(), conversation));
    } else {
      sendJson(res, 200, conversation);
    }
    return true;
  }
  if ((match = new RegExp(`^/api/tasks/${TASK_ID}/record$`).exec(path)) !== null) {
    const record = await source.taskRecord?.(match[1] ?? '');
    if (record === undefined) sendJson(res, 404, { error: 'task_not_found', message: `no task ${match[1] ?? ''} in this run or on disk` });
    else sendJson(res, 200, record);
    return true;
  }
  if ((match = new RegExp(`^/(api/)?tasks/${TASK_ID}$`).exec(path)) !== null) {
    const taskId = match[2] ?? '';
    // A task of this run still queued or running is the live routes'; a finished one is shown with its record's receipt.
    const live = source.task(taskId);
    if (live !== undefined && (live.state === 'queued' || live.state === 'running' || match[1] !== undefined)) return false;
    const record = await source.taskRecord?.(taskId);
    if (record === undefined) return false;
    if (match[1] === undefined) send(res, 200, HTML, renderTaskPage(source.version(), record.task, record.receipt));
    else sendJson(res, 200, record.task);
    return true;
  }
  return false;
}
