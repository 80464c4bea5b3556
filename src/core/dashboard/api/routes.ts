import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseUnlessPost } from './post-guard.js';
import type { DashboardSource } from '../source.js';
import { sendJson } from '../respond.js';
import { routeConfigApi } from './config-routes.js';
import { routeHoldApi } from './hold-routes.js';
import { routeApprovalApi } from './approval-routes.js';
import { routeScheduleApi } from './schedule-routes.js';
import { healthStatusCode, okHealth } from '../health.js';

const TASK_ID = /^[0-9a-f]{6,32}$/;

/** A repo id as airut.yaml allows it (`repos` keys). */
export const REPO_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Answers `/api/*`. Returns false when the path is not an API path, so the
 * caller can try pages.
 */
export async function routeApi(req: IncomingMessage, res: ServerResponse, path: string, source: DashboardSource): Promise<boolean> {
  if (!path.startsWith('/api/')) return false;
  if (await routeConfigApi(req, res, path, source)) return true;
  if (await routeScheduleApi(req, res, path, source)) return true;
  if (await routeHoldApi(req, res, path, source)) return true;
  if (await routeApprovalApi(req, res, path, source)) return true;
  const method = req.method ?? 'GET';
  const stop = /^\/api\/tasks\/([^/]+)\/stop$/.exec(path);
  if (stop !== null) {
    if (refuseUnlessPost(req, res, path)) return true;
    await stopTask(res, decodeURIComponent(stop[1] ?? ''), source);
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed', message: `${method} is not allowed on ${path}` }, { Allow: 'GET' });
    return true;
  }
  const taskPath = /^\/api\/tasks\/([^/]+)$/.exec(path);
  if (taskPath !== null) {
    const taskId = decodeURIComponent(taskPath[1] ?? '');
    const task = TASK_ID.test(taskId) ? source.task(taskId) : undefined;
    if (task === undefined) sendJson(res, 404, { error: 'task_not_found', message: `no task ${JSON.stringify(taskId)} (finished tasks are kept for a while, then dropped)` });
    else sendJson(res, 200, task);
    return true;
  }
  const repoPath = /^\/api\/repos\/([^/]+)$/.exec(path);
  if (repoPath !== null) {
    const repoId = decodeURIComponent(repoPath[1] ?? '');
    const repo = REPO_ID.test(repoId) ? source.repos().find((r) => r.id === repoId) : undefined;
    if (repo === undefined) sendJson(res, 404, { error: 'repo_not_found', message: `no repo ${JSON.stringify(repoId)} is configured` });
    else sendJson(res, 200, repo);
    return true;
  }
  switch (path) {
    case '/api/health': {
      const health = source.health?.() ?? okHealth(source);
      sendJson(res, healthStatusCode(health), health);
      return true;
    }
    case '/api/repos':
      sendJson(res, 200, { repos: source.repos() });
      return true;
    case '/api/version':
      sendJson(res, 200, { version: source.version() });
      return true;
    case '/api/tasks':
      sendJson(res, 200, { tasks: source.tasks(), counts: source.counts() });
      return true;
    case '/api/status':
      sendJson(res, 200, { version: source.version(), config: source.configStatus(), tasks: source.counts() });
      return true;
    default:
      sendJson(res, 404, { error: 'not_found', message: `no API endpoint at ${path}` });
      return true;
  }
}

async function stopTask(res: ServerResponse, taskId: string, source: DashboardSource): Promise<void> {
  const result = TASK_ID.test(taskId) ? await source.stopTask(taskId) : 'not_found';
  switch (result) {
    case 'stopping':
      sendJson(res, 202, { taskId, result });
      return;
    case 'not_found':
      sendJson(res, 404, { error: 'task_not_found', message: `no task ${JSON.stringify(taskId)}` });
      return;
    case 'not_running':
      sendJson(res, 409, { error: 'task_not_running', message: `task ${taskId} is not running, so there is nothing to stop` });
      return;
    case 'unsupported':
      sendJson(res, 501, { error: 'stop_unsupported', message: 'this service cannot stop single tasks' });
  }
}
