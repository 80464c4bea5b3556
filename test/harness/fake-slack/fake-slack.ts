/**
 * A fake Slack for tests, on 127.0.0.1: the Web API methods the Slack
 * channel uses (DMs opened with `conversations.open` included), over HTTP, and Socket Mode over a real WebSocket (hello,
 * `events_api` envelopes that must be acked, `disconnect`), and the private
 * URLs of files users attached. Every Web API call and every file download
 * is recorded for assertions.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerSocket, type SocketServer } from './web-socket.js';

/** One recorded Web API call. */
export interface FakeSlackCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  /** What the fake answered (a failed call has none). */
  response?: Record<string, unknown>;
}

/** A user the fake knows (users.info). */
export interface FakeSlackUser {
  id: string;
  name: string;
  team_id?: string;
  is_bot?: boolean;
  deleted?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  profile?: { display_name?: string; real_name?: string };
}

/** A file that went through the upload flow. */
export interface FakeSlackUpload {
  id: string;
  filename: string;
  title: string | undefined;
  content: Buffer;
  channel: string | undefined;
  threadTs: string | undefined;
}

/** A file users attached to messages, served at its private URL to the bot token only. */
export interface FakeSlackFile {
  id: string;
  name: string;
  mimetype: string;
  content: Buffer;
}

/** One request for a file's private URL. */
export interface FakeSlackDownload {
  id: string;
  token: string | undefined;
}

/** How the fake is set up. */
export interface FakeSlackOptions {
  teamId?: string;
  botUserId?: string;
  botId?: string;
  botToken?: string;
  appToken?: string;
  users?: FakeSlackUser[];
  /** Handle -> member ids. */
  groups?: Record<string, string[]>;
}

const OK = { ok: true };

/** The fake Slack. Create with {@link FakeSlack.start}; `close()` in teardown. */
export class FakeSlack extends EventEmitter {
  readonly calls: FakeSlackCall[] = [];
  readonly uploads: FakeSlackUpload[] = [];
  readonly downloads: FakeSlackDownload[] = [];
  /** Files users attached, by id; remove one to make its download fail with 404. */
  readonly files = new Map<string, FakeSlackFile>();
  readonly users = new Map<string, FakeSlackUser>();
  readonly groups: Map<string, string[]>;
  /** `"channel:thread_ts"` -> messages answered by conversations.replies. */
  readonly threads = new Map<string, Record<string, unknown>[]>();
  /** Sockets that were ever opened. */
  connections = 0;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  botToken: string;
  appToken: string;
  private readonly failures = new Map<string, { status: number; retryAfter?: number; error?: string }[]>();
  private readonly pendingAcks = new Map<string, () => void>();
  private readonly pendingUploads = new Map<string, { filename: string; content: Buffer | undefined }>();
  private nextId = 1;

  private constructor(private readonly server: Server, private readonly sockets: SocketServer, options: FakeSlackOptions) {
    super();
    this.teamId = options.teamId ?? 'T0FAKE';
    this.botUserId = options.botUserId ?? 'UBOT';
    this.botId = options.botId ?? 'BBOT';
    this.botToken = options.botToken ?? 'xoxb-fake';
    this.appToken = options.appToken ?? 'xapp-fake';
    for (const user of options.users ?? []) this.users.set(user.id, user);
    this.groups = new Map(Object.entries(options.groups ?? {}));
  }

  /** Starts the fake on an ephemeral port of 127.0.0.1. */
  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    const sockets = new WebSocketServer({ server, path: '/socket' });
    const fake = new FakeSlack(server, sockets, options);
    server.on('request', (req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    sockets.on('connection', (socket) => fake.connected(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** Web API base URL for the Slack clients (ends in `/`). */
  get apiUrl(): string {
    return `${this.origin}/api/`;
  }

  private get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Stores a file as if a user had attached it, and returns its description
   * as Slack puts it in a message event's `files`.
   */
  attachFile(name: string, content: string | Buffer, mimetype = 'text/plain'): Record<string, unknown> {
    const id = `F${this.nextId++}`;
    const file = { id, name, mimetype, content: Buffer.from(content) };
    this.files.set(id, file);
    return fileObject(file, this.origin, this.teamId);
  }

  /** The DM channel of the bot with `user`, as `conversations.open` answers it (`D` and the user id). */
  directChannelOf(user: string): string {
    return `D${user.replace(/^[UW]/, '')}`;
  }

  /** Calls of `method` so far. */
  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call of `method` (already made or future) that satisfies `match`. */
  async waitForCall(method: string, match: (call: FakeSlackCall) => boolean = () => true): Promise<FakeSlackCall> {
    const found = this.calls.find((c) => c.method === method && match(c));
    if (found !== undefined) return found;
    return new Promise((resolve) => {
      const listener = (call: FakeSlackCall): void => {
        if (call.method !== method || !match(call)) return;
        this.off('call', listener);
        resolve(call);
      };
      this.on('call', listener);
    });
  }

  /** Makes the next call of `method` fail: a 429 with Retry-After, or `{ok:false, error}`. */
  failNext(method: string, failure: { status: number; retryAfter?: number; error?: string }): void {
    const list = this.failures.get(method) ?? [];
    list.push(failure);
    this.failures.set(method, list);
  }

  /** Resolves once a Socket Mode client is connected (now or later). */
  async waitForConnection(count = 1): Promise<void> {
    while (this.connections < count) await once(this, 'connection');
  }

  /**
   * Pushes an Events API event over Socket Mode; resolves when the client acks
   * it. Like Slack, an event whose socket closes before the ack is delivered
   * again on the next connection (with the same envelope).
   */
  async sendEvent(event: Record<string, unknown>): Promise<void> {
    const envelopeId = `env-${this.nextId++}`;
    const envelope = JSON.stringify({
      envelope_id: envelopeId,
      type: 'events_api',
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
      payload: {
        token: 'verification',
        team_id: this.teamId,
        api_app_id: 'AFAKE',
        type: 'event_callback',
        event_id: `Ev${this.nextId++}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ team_id: this.teamId, user_id: this.botUserId, is_bot: true }],
        event,
      },
    });
    await this.deliver(envelopeId, envelope);
  }

  /**
   * Presses a button of a message the app posted, as `user` would: an
   * `interactive` envelope with a `block_actions` payload over Socket Mode,
   * naming the button's `action_id` and `value` from the message's blocks.
   * Resolves when the client acks it.
   */
  async pressButton(user: string, message: { channel: string; ts: string; blocks: unknown; threadTs?: string; text?: string }, actionId: string): Promise<void> {
    const button = findButton(message.blocks, actionId);
    if (button === undefined) throw new Error(`the message ${message.ts} has no button ${actionId}`);
    const envelopeId = `env-${this.nextId++}`;
    const envelope = JSON.stringify({
      envelope_id: envelopeId,
      type: 'interactive',
      accepts_response_payload: false,
      payload: {
        type: 'block_actions',
        token: 'verification',
        api_app_id: 'AFAKE',
        team: { id: this.teamId, domain: 'fake' },
        user: { id: user, team_id: this.teamId },
        channel: { id: message.channel },
        // Like Slack: a message in a thread names its thread in both places.
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false, ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }) },
        message: {
          type: 'message', ts: message.ts, blocks: message.blocks,
          ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }), ...(message.text === undefined ? {} : { text: message.text }),
        },
        trigger_id: `trigger-${this.nextId++}`,
        response_url: `${this.origin}/response/${envelopeId}`,
        actions: [{ type: 'button', action_id: actionId, block_id: button.blockId, value: button.value, action_ts: `${Date.now() / 1000}` }],
      },
    });
    await this.deliver(envelopeId, envelope);
  }

  /** Sends an envelope to a connected client until one acks it (again after a reconnect, like Slack). */
  private async deliver(envelopeId: string, envelope: string): Promise<void> {
    const acked = new Promise<void>((resolve) => this.pendingAcks.set(envelopeId, resolve));
    for (;;) {
      const socket = [...this.sockets.clients].find((s) => s.readyState === 1);
      if (socket === undefined) throw new Error('no Socket Mode client is connected to the fake Slack');
      let onClose = (): void => undefined;
      const closed = new Promise<'closed'>((resolve) => {
        onClose = () => resolve('closed');
        socket.on('close', onClose);
      });
      const seen = this.connections;
      socket.send(envelope);
      const outcome = await Promise.race([acked.then(() => 'acked' as const), closed]);
      socket.off('close', onClose);
      if (outcome === 'acked') return;
      await this.waitForConnection(seen + 1);
    }
  }

  /** Asks every client to reconnect, as Slack does when it recycles a connection. */
  askToReconnect(): void {
    for (const socket of this.sockets.clients) socket.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }));
  }

  /** Cuts every WebSocket without a goodbye. */
  dropConnections(): void {
    for (const socket of this.sockets.clients) socket.terminate();
  }

  /**
   * Closes sockets with a WebSocket goodbye (as a server shutting down does),
   * then the HTTP server. A client that gets the close frame ends its
   * connection at once; one cut without it waits out its close handshake.
   */
  async close(): Promise<void> {
    const goodbyes = [...this.sockets.clients].map((socket) => new Promise<void>((resolve) => {
      const cut = setTimeout(() => { socket.terminate(); }, 1000);
      socket.once('close', () => { clearTimeout(cut); resolve(); });
      socket.close(1001, 'server closing');
    }));
    await Promise.all(goodbyes);
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connected(socket: ServerSocket): void {
    this.connections++;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { envelope_id?: string };
      if (message.envelope_id === undefined) return;
      this.pendingAcks.get(message.envelope_id)?.();
      this.pendingAcks.delete(message.envelope_id);
    });
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
    this.emit('connection');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.origin);
    if (url.pathname.startsWith('/files-pri/')) return this.serveFile(url.pathname, req, res);
    if (url.pathname.startsWith('/upload/')) {
      const pending = this.pendingUploads.get(url.pathname.slice('/upload/'.length));
      if (pending === undefined) return void res.writeHead(404).end();
      pending.content = uploadedContent(body, req.headers['content-type'] ?? '');
      return void res.writeHead(200).end('OK');
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const args = parseArgs(body, req.headers['content-type'] ?? '');
    const call: FakeSlackCall = { method, token: token ?? (typeof args['token'] === 'string' ? args['token'] : undefined), args };
    this.calls.push(call);
    const failure = this.failures.get(method)?.shift();
    if (failure !== undefined) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      res.writeHead(failure.status, headers).end(JSON.stringify({ ok: false, error: failure.error ?? 'ratelimited' }));
      this.emit('call', call);
      return;
    }
    const answer = this.answer(call);
    call.response = answer;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    this.emit('call', call);
  }

  /** Like Slack: the file to the bot token; a sign-in page (200, HTML) to anyone else. */
  private serveFile(path: string, req: IncomingMessage, res: ServerResponse): void {
    const id = /^\/files-pri\/[^/]+-(F[0-9]+)\//.exec(path)?.[1] ?? '';
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    this.downloads.push({ id, token });
    this.emit('download', id);
    if (token !== this.botToken) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><title>Sign in | Slack</title>');
    const file = this.files.get(id);
    if (file === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('file_not_found');
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.content.length) }).end(file.content);
  }

  private answer(call: FakeSlackCall): Record<string, unknown> {
    const { method, args } = call;
    if (method === 'apps.connections.open') {
      if (call.token !== this.appToken) return { ok: false, error: 'invalid_auth' };
      return { ok: true, url: `${this.origin.replace('http', 'ws')}/socket` };
    }
    if (call.token !== this.botToken) return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'auth.test':
        return { ok: true, team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId, team: 'Fake', user: 'airut' };
      case 'users.info': {
        const user = this.users.get(String(args['user']));
        return user === undefined ? { ok: false, error: 'user_not_found' } : { ok: true, user: { team_id: this.teamId, ...user } };
      }
      case 'usergroups.list':
        return { ok: true, usergroups: [...this.groups.keys()].map((handle, i) => ({ id: `S${i + 1}`, handle })) };
      case 'usergroups.users.list': {
        const handle = [...this.groups.keys()][Number(String(args['usergroup']).slice(1)) - 1];
        return handle === undefined ? { ok: false, error: 'no_such_subteam' } : { ok: true, users: this.groups.get(handle) };
      }
      case 'conversations.open': {
        // Like Slack: a known user's DM channel, the same one every time; the bot cannot DM a stranger.
        const user = typeof args['users'] === 'string' ? args['users'] : '';
        if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: this.directChannelOf(user) } };
      }
      case 'conversations.replies':
        return { ok: true, messages: this.threads.get(`${String(args['channel'])}:${String(args['ts'])}`) ?? [], has_more: false };
      case 'chat.postMessage':
        return { ok: true, channel: args['channel'], ts: `${Math.floor(Date.now() / 1000)}.${String(this.nextId++).padStart(6, '0')}` };
      case 'chat.update':
      case 'reactions.add':
      case 'reactions.remove':
      case 'assistant.threads.setStatus':
      case 'assistant.threads.setTitle':
      case 'assistant.threads.setSuggestedPrompts':
        return OK;
      case 'files.info': {
        const file = this.files.get(String(args['file']));
        return file === undefined ? { ok: false, error: 'file_not_found' } : { ok: true, file: fileObject(file, this.origin, this.teamId) };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${this.nextId++}`;
        this.pendingUploads.set(id, { filename: String(args['filename']), content: undefined });
        return { ok: true, upload_url: `${this.origin}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const files = (typeof args['files'] === 'string' ? JSON.parse(args['files']) : args['files']) as { id: string; title?: string }[];
        for (const file of files) {
          const pending = this.pendingUploads.get(file.id);
          if (pending?.content === undefined) return { ok: false, error: 'file_not_uploaded' };
          this.uploads.push({
            id: file.id,
            filename: pending.filename,
            title: file.title,
            content: pending.content,
            channel: typeof args['channel_id'] === 'string' ? args['channel_id'] : undefined,
            threadTs: typeof args['thread_ts'] === 'string' ? args['thread_ts'] : undefined,
          });
        }
        return { ok: true, files: files.map((f) => ({ id: f.id })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** A file as Slack describes it in events and files.info. */
function fileObject(file: FakeSlackFile, origin: string, teamId: string): Record<string, unknown> {
  const base = `${origin}/files-pri/${teamId}-${file.id}`;
  return {
    id: file.id,
    name: file.name,
    title: file.name,
    mimetype: file.mimetype,
    filetype: file.name.split('.').pop() ?? '',
    size: file.content.length,
    url_private: `${base}/${encodeURIComponent(file.name)}`,
    url_private_download: `${base}/download/${encodeURIComponent(file.name)}`,
  };
}

/** The web API client posts the file as the one part of a multipart form. */
function uploadedContent(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (marker === undefined) return body;
  const start = body.indexOf('\r\n\r\n') + 4;
  const end = body.indexOf(`\r\n--${marker}`, start);
  return body.subarray(start, end === -1 ? body.length : end);
}

/** Web API bodies are form-encoded (nested values as JSON) or JSON. */
function parseArgs(body: Buffer, contentType: string): Record<string, unknown> {
  if (body.length === 0) return {};
  if (contentType.includes('application/json')) return JSON.parse(body.toString()) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body.toString())) {
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON after all: a text argument that happens to start with a bracket.
    return text;
  }
}

/** The block id and value of the button `actionId` in Block Kit `blocks`. */
function findButton(blocks: unknown, actionId: string): { blockId: string; value: string } | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as { block_id?: string; elements?: { action_id?: string; value?: string }[] }[]) {
    const element = block.elements?.find((e) => e.action_id === actionId);
    if (element !== undefined) return { blockId: block.block_id ?? '', value: element.value ?? '' };
  }
  return undefined;
}
