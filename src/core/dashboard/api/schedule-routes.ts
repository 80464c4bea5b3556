import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseUnlessPost } from './post-guard.js';
import { sendJson } from '../respond.js';
import type { DashboardSource } from '../source.js';

const RUN_PATH = /^\/api\/repos\/([^/]+)\/schedules\/([^/]+)\/run$/;
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * `POST /api/repos/<repo>/schedules/<name>/run`: "Run now". Same-origin
 * only, like every other state-changing request. Returns false for other paths.
 */
export async function routeScheduleApi(req: IncomingMessage, res: ServerResponse, path: string, source: DashboardSource): Promise<boolean> {
  const match = RUN_PATH.exec(path);
  if (match === null) return false;
  if (refuseUnlessPost(req, res, path)) return true;
  const repoId = decodeURIComponent(match[1] ?? '');
  const name = decodeURIComponent(match[2] ?? '');
  const result = source.runSchedule === undefined ? 'unsupported' : NAME.test(name) ? await source.runSchedule(repoId, name) : 'unknown';
  switch (result) {
    case 'started':
      sendJson(res, 202, { repoId, name, result });
      return true;
    case 'unknown':
      sendJson(res, 404, { error: 'schedule_not_found', message: `repo ${JSON.stringify(repoId)} has no running schedule ${JSON.stringify(name)}` });
      return true;
    case 'running':
      sendJson(res, 409, { error: 'schedule_running', message: `schedule ${name} of repo ${repoId} is running already; it is not started twice` });
      return true;
    case 'stopped':
      sendJson(res, 409, { error: 'repo_stopping', message: `repo ${repoId} is stopping or restarting; try again in a moment` });
      return true;
    case 'unsupported':
      sendJson(res, 501, { error: 'run_now_unsupported', message: 'this service cannot run schedules on request' });
      return true;
  }
}
