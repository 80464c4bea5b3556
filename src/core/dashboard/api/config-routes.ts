import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ConfigEditError, ConfigEditInvalid, openConfigEditor, parseEdits, previewConfigEdits, saveConfigEdits, type ConfigEdit,
} from '../../config/edit/index.js';
import { checkSameOrigin } from '../request-guard.js';
import { sendJson } from '../respond.js';
import type { DashboardSource } from '../source.js';
import { BadBody, readJsonFields } from './json-body.js';

const MAX_BODY = 1024 * 1024;

/** Where the config editor finds `!env` values; the service's own environment unless a test gives one. */
export interface ConfigRouteOptions {
  env?: Readonly<Record<string, string | undefined>>;
}

async function readBody(req: IncomingMessage): Promise<{ baseHash: string; edits: ConfigEdit[] }> {
  const { baseHash, edits } = await readJsonFields(req, MAX_BODY);
  if (typeof baseHash !== 'string' || !/^([0-9a-f]{64})?$/.test(baseHash)) {
    throw new BadBody(`"baseHash" must be the hash GET /api/config returned (64 hex digits, or "" when there was no file), got ${JSON.stringify(baseHash) ?? 'nothing'}`);
  }
  try {
    return { baseHash, edits: parseEdits(edits) };
  } catch (error) {
    throw new BadBody((error as Error).message);
  }
}

function refuse(res: ServerResponse, error: unknown): void {
  if (error instanceof BadBody) {
    sendJson(res, 400, { error: 'bad_request', message: error.message });
  } else if (error instanceof ConfigEditInvalid) {
    sendJson(res, 422, { error: 'invalid', message: error.message, problems: error.problems });
  } else if (error instanceof ConfigEditError && error.code === 'CONFIG_EDIT_STALE') {
    sendJson(res, 409, { error: 'stale', message: error.message, hint: error.hint });
  } else if (error instanceof ConfigEditError && error.code === 'CONFIG_EDIT_INVALID') {
    sendJson(res, 422, { error: 'invalid', message: error.message, hint: error.hint, problems: [] });
  } else if (error instanceof ConfigEditError) {
    sendJson(res, 500, { error: 'write_failed', message: error.message, hint: error.hint });
  } else {
    throw error;
  }
}

const ROUTES: Record<string, string> = { '/api/config': 'GET, PUT', '/api/config/validate': 'POST', '/api/config/diff': 'POST' };

/**
 * The config editor's API: `GET /api/config` (the form, secrets masked, and
 * the file's hash), `POST /api/config/validate` and `/api/config/diff` (edits
 * checked against the file on disk, nothing written) and `PUT /api/config`
 * (save; 409 when the file changed since the hash was read, 422 when the
 * result would not load). Every request but GET passes the CSRF check.
 * Returns false for other paths.
 */
export async function routeConfigApi(req: IncomingMessage, res: ServerResponse, path: string, source: DashboardSource, options: ConfigRouteOptions = {}): Promise<boolean> {
  const allowed = ROUTES[path];
  if (allowed === undefined) return false;
  const method = req.method ?? 'GET';
  const editor = { path: source.configPath(), ...(options.env === undefined ? {} : { env: options.env }) };
  if (!allowed.split(', ').includes(method)) {
    sendJson(res, 405, { error: 'method_not_allowed', message: `${method} is not allowed on ${path}; use ${allowed}` }, { Allow: allowed });
    return true;
  }
  if (method === 'GET') {
    sendJson(res, 200, await openConfigEditor(editor));
    return true;
  }
  const refusal = checkSameOrigin(req);
  if (refusal !== undefined) {
    sendJson(res, refusal.status, { error: refusal.error, message: refusal.message });
    return true;
  }
  try {
    const body = await readBody(req);
    if (method === 'PUT') {
      sendJson(res, 200, await saveConfigEdits({ ...editor, ...body }));
    } else {
      const preview = await previewConfigEdits({ ...editor, ...body });
      sendJson(res, 200, path === '/api/config/diff' ? preview : { stale: preview.stale, hash: preview.hash, problems: preview.problems });
    }
  } catch (error) {
    refuse(res, error);
  }
  return true;
}
