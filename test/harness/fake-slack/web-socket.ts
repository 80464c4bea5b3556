/**
 * The small part of the `ws` package (installed with @slack/bolt, no type
 * declarations) the fake uses, typed here instead of globally.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';

/** A server-side WebSocket connection. */
export interface ServerSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'close', listener: () => void): this;
  off(event: 'close', listener: () => void): this;
  readonly readyState: number;
}

/** A WebSocket server attached to an HTTP server. */
export interface SocketServer {
  on(event: 'connection', listener: (socket: ServerSocket, request: { url?: string }) => void): this;
  close(callback?: () => void): void;
  readonly clients: Set<ServerSocket>;
}

type SocketServerClass = new (options: { server: Server; path?: string }) => SocketServer;

const require = createRequire(import.meta.url);

/** `ws`'s WebSocketServer. */
export const WebSocketServer = (require('ws') as { WebSocketServer: SocketServerClass }).WebSocketServer;
