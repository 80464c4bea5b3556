import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonFieldsOrReason } from './json-body.js';
import { refuseUnlessPost } from './post-guard.js';
import { sendJson } from '../respond.js';
import type { DashboardSource } from '../source.js';

const HOLDS_PATH = /^\/api\/tasks\/([^/]+)\/holds$/;
const ANSWER_PATH = /^\/api\/tasks\/([^/]+)\/holds\/([^/]+)$/;
const MAX_BODY = 4096;

/**
 * `GET /api/tasks/<id>/holds`: the task's held requests waiting for an answer.
 * `POST /api/tasks/<id>/holds/<holdId>` with `{"allow": true|false}`: answers
 * one, same-origin only like every other state-changing request. The first
 * answer from any place (Slack, the dashboard) wins. Returns false for other paths.
 */
export async function routeHoldApi(req: IncomingMessage, res: ServerResponse, path: string, source: DashboardSource): Promise<boolean> {
  const method = req.method ?? 'GET';
  const list = HOLDS_PATH.exec(path);
  if (list !== null) {
    if (method !== 'GET' && method !== 'HEAD') {
      sendJson(res, 405, { error: 'method_not_allowed', message: `${method} is not allowed on ${path}; use GET` }, { Allow: 'GET' });
      return true;
    }
    const taskId = decodeURIComponent(list[1] ?? '');
    if (source.task(taskId) === undefined) {
      sendJson(res, 404, { error: 'task_not_found', message: `no task ${JSON.stringify(taskId)} is known to this service` });
      return true;
    }
    sendJson(res, 200, { taskId, holds: source.holds?.(taskId) ?? [] });
    return true;
  }
  const answer = ANSWER_PATH.exec(path);
  if (answer === null) return false;
  if (refuseUnlessPost(req, res, path)) return true;
  const taskId = decodeURIComponent(answer[1] ?? '');
  const holdId = decodeURIComponent(answer[2] ?? '');
  const allow = await readAllow(req);
  if (typeof allow === 'string') {
    sendJson(res, 400, { error: 'bad_request', message: allow });
    return true;
  }
  if (source.task(taskId) === undefined) {
    sendJson(res, 404, { error: 'task_not_found', message: `no task ${JSON.stringify(taskId)} is known to this service` });
    return true;
  }
  if (source.answerHold === undefined) {
    sendJson(res, 501, { error: 'holds_unsupported', message: 'this service cannot answer held requests' });
    return true;
  }
  const result = source.answerHold(taskId, holdId, allow);
  switch (result) {
    case 'decided':
      sendJson(res, 200, { taskId, holdId, allow, result });
      return true;
    case 'already-decided':
      sendJson(res, 409, { error: 'hold_already_decided', message: `hold ${JSON.stringify(holdId)} of task ${taskId} was already answered or has ended` });
      return true;
    case 'unknown':
      sendJson(res, 404, { error: 'hold_not_found', message: `task ${taskId} has no held request ${JSON.stringify(holdId)} waiting for an answer` });
      return true;
  }
}

/** The body's `allow`, or why the body is refused. */
async function readAllow(req: IncomingMessage): Promise<boolean | string> {
  const fields = await jsonFieldsOrReason(req, MAX_BODY);
  if (typeof fields === 'string') return fields;
  const allow = fields.allow;
  if (typeof allow !== 'boolean') return `"allow" must be true or false, got ${JSON.stringify(allow) ?? 'nothing'}`;
  return allow;
}
