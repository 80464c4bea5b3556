import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonFieldsOrReason } from './json-body.js';
import { refuseUnlessPost } from './post-guard.js';
import { sendJson } from '../respond.js';
import type { ApprovalTarget, DashboardSource } from '../source.js';

const REVOKE_PATH = /^\/api\/conversations\/([^/]+)\/approvals\/revoke$/;
const MAX_BODY = 4096;

/**
 * `POST /api/conversations/<id>/approvals/revoke` with
 * `{"method", "host", "pathPrefix"}`: ends that approval of the conversation
 * at once (a run already going keeps the approvals it started with).
 * Same-origin only, like every other state-changing request. Returns false
 * for other paths.
 */
export async function routeApprovalApi(req: IncomingMessage, res: ServerResponse, path: string, source: DashboardSource): Promise<boolean> {
  const match = REVOKE_PATH.exec(path);
  if (match === null) return false;
  if (refuseUnlessPost(req, res, path)) return true;
  const conversationId = decodeURIComponent(match[1] ?? '');
  const target = await readTarget(req);
  if (typeof target === 'string') {
    sendJson(res, 400, { error: 'bad_request', message: target });
    return true;
  }
  if (source.revokeApproval === undefined) {
    sendJson(res, 501, { error: 'revoke_unsupported', message: 'this service cannot revoke approvals' });
    return true;
  }
  const result = await source.revokeApproval(conversationId, target);
  switch (result) {
    case 'revoked':
      sendJson(res, 200, { conversationId, ...target, result });
      return true;
    case 'conversation_not_found':
      sendJson(res, 404, { error: 'conversation_not_found', message: `no conversation ${JSON.stringify(conversationId)} is known to this service` });
      return true;
    case 'approval_not_found':
      sendJson(res, 404, { error: 'approval_not_found', message: `conversation ${conversationId} has no approval of ${target.method} ${target.host}${target.pathPrefix} in effect` });
      return true;
  }
}

/** The body's request, or why the body is refused. */
async function readTarget(req: IncomingMessage): Promise<ApprovalTarget | string> {
  const fields = await jsonFieldsOrReason(req, MAX_BODY);
  if (typeof fields === 'string') return fields;
  for (const key of ['method', 'host', 'pathPrefix']) {
    const value = fields[key];
    if (typeof value !== 'string' || value === '') return `"${key}" must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`;
  }
  return { method: fields.method as string, host: fields.host as string, pathPrefix: fields.pathPrefix as string };
}
