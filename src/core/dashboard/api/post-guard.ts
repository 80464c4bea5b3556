import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkSameOrigin } from '../request-guard.js';
import { sendJson } from '../respond.js';

/**
 * Refuses a request to an action route (`path`) that is not a same-origin
 * POST: 405 for another method, the guard's answer for a cross-site one.
 * Returns true when it answered, so the caller stops.
 */
export function refuseUnlessPost(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const method = req.method ?? 'GET';
  if (method !== 'POST') {
    sendJson(res, 405, { error: 'method_not_allowed', message: `${method} is not allowed on ${path}; use POST` }, { Allow: 'POST' });
    return true;
  }
  const refusal = checkSameOrigin(req);
  if (refusal === undefined) return false;
  sendJson(res, refusal.status, { error: refusal.error, message: refusal.message });
  return true;
}
