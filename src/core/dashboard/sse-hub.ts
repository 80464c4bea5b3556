import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './security-headers.js';
import { formatSseComment, formatSseMessage } from './sse.js';

/** Options of an {@link SseHub}. */
export interface SseHubOptions {
  /** Messages kept for `Last-Event-ID` resumption. Default 1000. */
  bufferSize?: number;
  /** Open streams allowed per client address; more get 429. Default 8. */
  maxPerClient?: number;
  /** Milliseconds between heartbeat comments. Default 15000. */
  heartbeatMs?: number;
  /** Seconds a refused client is told to wait (Retry-After). Default 5. */
  retryAfterSeconds?: number;
}

interface Buffered {
  id: number;
  event: string;
  data: string;
}

interface Client {
  res: ServerResponse;
  address: string;
  accepts: (event: string, data: string) => boolean;
}

/**
 * Fans published messages out to open SSE streams. Ids are increasing
 * integers, so a reconnecting browser's `Last-Event-ID` picks up exactly where
 * it left off; a client too far behind the buffer gets a `reset` event and
 * should reload its page.
 */
export class SseHub {
  private readonly buffer: Buffered[] = [];
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private readonly bufferSize: number;
  private readonly maxPerClient: number;
  private readonly retryAfterSeconds: number;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(options: SseHubOptions = {}) {
    this.bufferSize = options.bufferSize ?? 1000;
    this.maxPerClient = options.maxPerClient ?? 8;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  /** Sends a message to every stream whose filter accepts it; returns its id. */
  publish(event: string, data: unknown): number {
    const message: Buffered = { id: this.nextId++, event, data: JSON.stringify(data) };
    this.buffer.push(message);
    if (this.buffer.length > this.bufferSize) this.buffer.shift();
    for (const client of this.clients) {
      if (client.accepts(message.event, message.data)) client.res.write(frame(message));
    }
    return message.id;
  }

  /** Open streams, for tests and status. */
  size(): number {
    return this.clients.size;
  }

  /**
   * Turns the response into an event stream, replaying what the client missed.
   * Refuses with 429 and Retry-After when its address has too many open.
   */
  attach(req: IncomingMessage, res: ServerResponse, accepts: (event: string, data: string) => boolean = () => true): void {
    const address = req.socket.remoteAddress ?? 'unknown';
    const open = [...this.clients].filter((client) => client.address === address).length;
    if (open >= this.maxPerClient) {
      const body = `${JSON.stringify({ error: 'too_many_streams', message: `${open} event streams are already open from ${address}; the limit is ${this.maxPerClient}` })}\n`;
      res.writeHead(429, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Retry-After': String(this.retryAfterSeconds) });
      res.end(body);
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    const client: Client = { res, address, accepts };
    this.replay(client, lastEventId(req));
    this.clients.add(client);
    const drop = (): void => {
      this.clients.delete(client);
    };
    req.on('close', drop);
    res.on('close', drop);
  }

  /** Ends every stream and stops the heartbeat. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private replay(client: Client, after: number | undefined): void {
    if (after === undefined) return;
    const oldest = this.buffer[0];
    if (oldest !== undefined && after < oldest.id - 1) {
      client.res.write(formatSseMessage({ event: 'reset', data: JSON.stringify({ reason: 'missed events are no longer buffered' }) }));
      return;
    }
    for (const message of this.buffer) {
      if (message.id > after && client.accepts(message.event, message.data)) client.res.write(frame(message));
    }
  }

  private beat(): void {
    for (const client of this.clients) client.res.write(formatSseComment('heartbeat'));
  }
}

function frame(message: Buffered): string {
  return formatSseMessage({ id: String(message.id), event: message.event, data: message.data });
}

/** The id to resume after: the header a browser sends, or `?lastEventId=` for first connections. */
function lastEventId(req: IncomingMessage): number | undefined {
  const header = req.headers['last-event-id'];
  const raw = typeof header === 'string' ? header : new URL(req.url ?? '/', 'http://dashboard').searchParams.get('lastEventId');
  if (raw === null || raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}
