import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routeApi } from './api/routes.js';
import { portInUse, DashboardError } from './errors.js';
import { routeHistory } from './history-routes.js';
import { renderConfigPage } from './pages/config.js';
import { renderOverview } from './pages/overview.js';
import { renderTaskPage } from './pages/task.js';
import { allowedHostsFor, checkHost } from './request-guard.js';
import { send, sendJson } from './respond.js';
import { okHealth } from './health.js';
import type { DashboardSource } from './source.js';
import { SseHub, type SseHubOptions } from './sse-hub.js';
import type { DashboardState } from './state.js';
import { sourceFromState } from './state-source.js';
import { DASHBOARD_CSS } from './static.js';
import { BROWSER_MODULES, browserModule } from './browser-assets.js';
import { renderRepoPage } from './pages/repo.js';
import { REPO_ID } from './api/routes.js';

/** Where and what the dashboard serves. Give `source`, or `state` for a counts-only view. */
export interface DashboardOptions {
  host: string;
  port: number;
  /** Called per request, so pages always show the current state. */
  state?: () => DashboardState;
  /** The running service's tasks, config status and live events. */
  source?: DashboardSource;
  /** Limits of the live event streams. */
  sse?: SseHubOptions;
}

/** A running dashboard. */
export interface Dashboard {
  /** Base URL, e.g. `http://127.0.0.1:5200`. */
  url: string;
  close(): Promise<void>;
}

const HTML = 'text/html; charset=utf-8';

async function route(req: IncomingMessage, res: ServerResponse, source: DashboardSource, hub: SseHub, hosts: ReadonlySet<string> | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  const path = url.pathname;
  const refusal = hosts === undefined ? undefined : checkHost(req, hosts);
  if (refusal !== undefined) {
    sendJson(res, refusal.status, { error: refusal.error, message: refusal.message });
    return;
  }
  if (path === '/api/events') {
    const taskId = url.searchParams.get('task');
    hub.attach(req, res, taskId === null ? undefined : (_event, data) => data.includes(`"taskId":${JSON.stringify(taskId)}`));
    return;
  }
  if (await routeHistory(req, res, path, source)) return;
  if (await routeApi(req, res, path, source)) return;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method ?? ''} is not allowed on ${path}` }, { Allow: 'GET' });
    return;
  }
  const taskPage = /^\/tasks\/([0-9a-f]{6,32})$/.exec(path);
  if (taskPage !== null) {
    const task = source.task(taskPage[1] ?? '');
    if (task === undefined) sendJson(res, 404, { error: 'task_not_found', message: `no task ${taskPage[1] ?? ''}` });
    else send(res, 200, HTML, renderTaskPage(source.version(), task));
    return;
  }
  const repoPage = /^\/repos\/([^/]+)$/.exec(path);
  if (repoPage !== null) {
    const repoId = decodeURIComponent(repoPage[1] ?? '');
    const repo = REPO_ID.test(repoId) ? source.repos().find((r) => r.id === repoId) : undefined;
    if (repo === undefined) sendJson(res, 404, { error: 'repo_not_found', message: `no repo ${JSON.stringify(repoId)} is configured` });
    else send(res, 200, HTML, renderRepoPage(source.version(), repo.id));
    return;
  }
  const module = /^\/static\/([a-z-]+)\.js$/.exec(path);
  if (module !== null && BROWSER_MODULES.has(module[1] ?? '')) {
    send(res, 200, 'text/javascript; charset=utf-8', await browserModule(module[1] ?? ''));
    return;
  }
  switch (path) {
    case '/':
      send(res, 200, HTML, renderOverview({ version: source.version(), configPath: source.configPath(), configExists: source.configExists(), repos: source.repos(), tasks: source.counts() }, source.tasks(), await source.pastTasks?.() ?? []));
      return;
    case '/config':
      send(res, 200, HTML, renderConfigPage(source.version(), source.configPath(), source.configExists()));
      return;
    case '/static/dashboard.css':
      send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      return;
    default:
      sendJson(res, 404, { error: 'not_found', message: `no page at ${path}` });
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(error.code === 'EADDRINUSE'
        ? portInUse(host, port, error)
        : new DashboardError('DASHBOARD_LISTEN_FAILED', `dashboard could not listen on ${host}:${port}: ${error.message}`, { cause: error }));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** Starts the dashboard HTTP server. Rejects with DASHBOARD_PORT_IN_USE when the address is taken. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const source = options.source ?? sourceFromState(options.state ?? (() => {
    throw new DashboardError('DASHBOARD_NO_SOURCE', 'startDashboard needs a source or a state function', {});
  }));
  const hub = new SseHub(options.sse);
  const unsubscribe = source.subscribe((event) => {
    hub.publish(event.type, event);
    if (event.type === 'task') hub.publish('counts', { counts: source.counts() });
    if (event.type === 'repo' || event.type === 'config') hub.publish('health', source.health?.() ?? okHealth(source));
  });
  // Beyond loopback the operator chose who may connect; the Host check guards loopback against DNS rebinding.
  const checkHosts = !WILDCARD.has(options.host);
  const server = createServer((req, res) => {
    const hosts = checkHosts ? allowedHostsFor(options.host, req.socket.localPort ?? 0) : undefined;
    route(req, res, source, hub, hosts).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal_error', message: error instanceof Error ? error.message : String(error) });
    });
  });
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostPart}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      unsubscribe();
      hub.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
