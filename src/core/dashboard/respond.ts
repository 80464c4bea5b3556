import type { ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security-headers.js';

/** Sends a complete response with the security headers. */
export function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Sends `value` as JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, extra);
}
