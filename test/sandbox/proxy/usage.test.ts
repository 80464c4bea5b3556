import t, { type Test } from 'tap';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { send, startTestProxy, type TestProxy } from './proxy-harness.js';
import type { NetworkLogEvent } from '../../../src/sandbox/proxy/index.js';

// Usage accounting of Messages API responses through the real proxy
// (in-process) and a fake api.anthropic.com on 127.0.0.1: what the client
// gets is exactly what the upstream sent; the log gets one USAGE or WARNING line.

const CERTS = fileURLToPath(new URL('../../harness/fake-upstream/certs/', import.meta.url));

/** Each request is answered by the next reply in `replies`; what it wrote is recorded. */
type Reply = (req: IncomingMessage, res: ServerResponse, sent: (chunk: Buffer) => void) => void;

async function setup(t: Test, replies: Reply[], prices?: unknown): Promise<{ tp: TestProxy; sent: Buffer[][] }> {
  const sent: Buffer[][] = [];
  const server: Server = createServer({ key: readFileSync(join(CERTS, 'server-key.pem')), cert: readFileSync(join(CERTS, 'server-cert.pem')) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const mine: Buffer[] = [];
      sent.push(mine);
      const reply = replies.shift();
      if (reply === undefined) throw new Error('no reply left');
      reply(req, res, (chunk) => mine.push(chunk));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  const tp = await startTestProxy(t, {
    allowlist: { domains: ['api.anthropic.com'], url_prefixes: [] },
    httpsPort: (server.address() as AddressInfo).port,
    extra: { upstream_ca_file: join(CERTS, 'ca-cert.pem'), upstream_hosts: { 'api.anthropic.com': '127.0.0.1' } },
    ...(prices === undefined ? {} : { prices }),
  });
  return { tp, sent };
}

const post = (tp: TestProxy, path = '/v1/messages?beta=true') => send(tp, { host: 'api.anthropic.com', method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{"model":"m","max_tokens":1,"messages":[]}' });
const usageOrWarning = (e: NetworkLogEvent): boolean => e.kind === 'USAGE' || e.kind === 'WARNING';

const sse = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const STREAM = [
  sse('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 1200, cache_creation_input_tokens: 0, cache_read_input_tokens: 800, output_tokens: 1 } } }),
  sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  'event: ping\ndata: {"type": "ping"}\n\n',
  ...Array.from({ length: 50 }, (_, i) => sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `word ${i} "message_delta" é ✓ ` } })),
  sse('content_block_stop', { index: 0 }),
  sse('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 340 } }),
  sse('message_stop', {}),
].join('');

/** Writes `body` in pieces that split lines, events and multi-byte characters. */
function writeInPieces(res: ServerResponse, body: Buffer, sent: (chunk: Buffer) => void, done: () => void): void {
  let at = 0;
  const next = (): void => {
    if (at >= body.length) {
      done();
      return;
    }
    const piece = body.subarray(at, at + 97);
    at += piece.length;
    sent(piece);
    res.write(piece, next);
  };
  next();
}

void t.test('a streamed SSE response: the client gets every byte unchanged; one USAGE line with the final output_tokens', async (t) => {
  const { tp, sent } = await setup(t, [(_req, res, record) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    writeInPieces(res, Buffer.from(STREAM), record, () => res.end());
  }]);
  const res = await post(tp);
  t.equal(res.status, 200);
  t.ok(res.bytes.equals(Buffer.concat(sent[0] ?? [])), 'byte for byte what the upstream sent');
  t.ok(res.bytes.equals(Buffer.from(STREAM)));
  const usage = await tp.nextEvent(usageOrWarning);
  t.equal(usage.line, 'USAGE claude-sonnet-4-5-20250929 in=1200 out=340 cache_write=0 cache_read=800 cost=$0.0089');
  t.match(usage.usage, { model: 'claude-sonnet-4-5-20250929', input_tokens: 1200, output_tokens: 340, cache_creation_input_tokens: 0, cache_read_input_tokens: 800, method: 'POST', url: 'https://api.anthropic.com/v1/messages?beta=true' });
  t.ok(Math.abs((usage.usage?.cost_usd ?? 0) - (1200 * 3 + 340 * 15 + 800 * 0.3) / 1e6) < 1e-12, 'cost from the sonnet 4 price');
  t.equal(tp.events.filter(usageOrWarning).length, 1);
  await tp.nextEvent((e) => e.kind === 'ALLOWED');
  t.match(tp.logText(), new RegExp(`^ALLOWED POST https://api\\.anthropic\\.com/v1/messages\\?beta=true -> 200 \\[up: 42\\] \\[down: ${Buffer.byteLength(STREAM)}\\]$`, 'm'));
});

void t.test('a gzip JSON response and a brotli SSE stream are read from a decoded copy; the client gets the encoded bytes', async (t) => {
  const json = gzipSync(JSON.stringify({ id: 'msg_2', type: 'message', model: 'claude-opus-4-1-20250805', content: [{ type: 'text', text: 'hi' }], usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 1000, cache_read_input_tokens: 0 } }));
  const stream = brotliCompressSync(STREAM);
  const { tp, sent } = await setup(t, [
    (_req, res, record) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }); writeInPieces(res, json, record, () => res.end()); },
    (_req, res, record) => { res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'br' }); writeInPieces(res, stream, record, () => res.end()); },
  ]);
  const first = await post(tp);
  t.equal(first.headers['content-encoding'], 'gzip');
  t.ok(first.bytes.equals(json) && first.bytes.equals(Buffer.concat(sent[0] ?? [])), 'the gzip bytes, unchanged');
  const usage = await tp.nextEvent(usageOrWarning);
  t.equal(usage.line, 'USAGE claude-opus-4-1-20250805 in=10 out=20 cache_write=1000 cache_read=0 cost=$0.0204');
  const second = await post(tp);
  t.ok(second.bytes.equals(stream), 'the brotli bytes, unchanged');
  const streamed = await tp.nextEvent((e) => usageOrWarning(e) && e !== usage);
  t.equal(streamed.line, 'USAGE claude-sonnet-4-5-20250929 in=1200 out=340 cache_write=0 cache_read=800 cost=$0.0089');
});

void t.test('a response cut mid-stream gives a WARNING naming the request, never a USAGE line', async (t) => {
  const half = STREAM.slice(0, STREAM.indexOf('content_block_stop'));
  const { tp } = await setup(t, [(_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(half, () => res.destroy());
  }]);
  await t.rejects(post(tp));
  const warning = await tp.nextEvent(usageOrWarning);
  t.equal(warning.line, 'WARNING: usage not counted for POST https://api.anthropic.com/v1/messages?beta=true: the response was cut off before its end');
  t.equal(warning.level, 'warn');
  t.notOk(tp.events.some((e) => e.kind === 'USAGE'));
});

void t.test('a model without a price has an unknown cost, never a guess; the task config can price it', async (t) => {
  const body = JSON.stringify({ model: 'claude-future-9', usage: { input_tokens: 1000000, output_tokens: 0 } });
  const reply: Reply = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); };
  const { tp } = await setup(t, [reply]);
  await post(tp);
  const usage = await tp.nextEvent(usageOrWarning);
  t.equal(usage.line, 'USAGE claude-future-9 in=1000000 out=0 cache_write=0 cache_read=0 cost=unknown (no price for claude-future-9)');
  t.equal(usage.usage?.cost_usd, null);

  const priced = await setup(t, [reply], { 'claude-future': { input: 2, output: 10, cache_write: 2.5, cache_read: 0.2 } });
  await post(priced.tp);
  t.equal((await priced.tp.nextEvent(usageOrWarning)).line, 'USAGE claude-future-9 in=1000000 out=0 cache_write=0 cache_read=0 cost=$2.0000');
});

void t.test('only POST /v1/messages is read; an unreadable answer is a WARNING, an error status is not read', async (t) => {
  const noUsage: Reply = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"input_tokens": 5}'); };
  const error: Reply = (_req, res) => { res.writeHead(529, { 'content-type': 'application/json' }); res.end('{"type":"error","error":{"type":"overloaded_error"}}'); };
  const { tp } = await setup(t, [noUsage, noUsage, noUsage, error, noUsage]);
  await post(tp, '/v1/messages/count_tokens');
  await post(tp, '/v1/messages/batches');
  await post(tp, '/v1/messages_legacy');
  await post(tp, '/v1/messages');
  await post(tp, '/v1/%6Dessages');
  const warning = await tp.nextEvent(usageOrWarning);
  t.equal(warning.line, 'WARNING: usage not counted for POST https://api.anthropic.com/v1/%6Dessages: the body has no model or usage');
  t.equal(tp.events.filter(usageOrWarning).length, 1, 'count_tokens, batches, other paths and the 529 are not read');
});
