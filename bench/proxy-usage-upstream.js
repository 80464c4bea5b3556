// The upstream of the proxy benchmark's usage part, its own process: HTTPS on
// 127.0.0.1 (the committed fake-upstream certificate). POST answers a streamed
// Messages API response (SSE: message_start with usage, 60 text deltas in
// separate writes, message_delta with the final output_tokens), with status 200,
// or 201 when the query says `status=201` (the proxy reads usage only from 200
// answers: the same bytes, not counted). GET answers "ok". Prints {"port":N}.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const certs = new URL('../test/harness/fake-upstream/certs/', import.meta.url);
const sse = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const EVENTS = [
  sse('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 5200, cache_creation_input_tokens: 0, cache_read_input_tokens: 18000, output_tokens: 1 } } }),
  sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ...Array.from({ length: 60 }, (_, i) => sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `word ${i} of a streamed answer with some length to it. ` } })),
  sse('content_block_stop', { index: 0 }),
  sse('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 420 } }),
  sse('message_stop', {}),
];

const server = createServer({
  cert: readFileSync(new URL('server-cert.pem', certs)),
  key: readFileSync(new URL('server-key.pem', certs)),
  keepAliveTimeout: 60_000,
}, (req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end('ok');
      return;
    }
    res.writeHead(req.url.includes('status=201') ? 201 : 200, { 'content-type': 'text/event-stream' });
    for (const event of EVENTS) res.write(event);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('SIGTERM', () => process.exit(0));
