import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { portInUse, DashboardError } from './errors.js';
import { renderConfigHelp } from './pages/not-yet.js';
import { renderOverview } from './pages/overview.js';
import { SECURITY_HEADERS } from './security-headers.js';
import type { DashboardState } from './state.js';
import { DASHBOARD_CSS } from './static.js';

/** Where and what the dashboard serves. */
export interface DashboardOptions {
  host: string;
  port: number;
  /** Called per request, so pages always show the current state. */
  state: () => DashboardState;
}

/** A running dashboard. */
export interface Dashboard {
  /** Base URL, e.g. `http://127.0.0.1:5200`. */
  url: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`);
}

function route(req: IncomingMessage, res: ServerResponse, options: DashboardOptions): void {
  const path = new URL(req.url ?? '/', 'http://dashboard').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed', message: `${req.method ?? ''} is not allowed on ${path}` });
    return;
  }
  const state = options.state();
  switch (path) {
    case '/':
      send(res, 200, 'text/html; charset=utf-8', renderOverview(state));
      return;
    case '/config':
      send(res, 200, 'text/html; charset=utf-8', renderConfigHelp(state.version, state.configPath));
      return;
    case '/static/dashboard.css':
      send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
      return;
    case '/api/health':
      sendJson(res, 200, { status: 'ok', tasks: state.tasks });
      return;
    case '/api/version':
      sendJson(res, 200, { version: state.version });
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

/** Starts the dashboard HTTP server. Rejects with DASHBOARD_PORT_IN_USE when the address is taken. */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const server = createServer((req, res) => route(req, res, options));
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostPart}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
