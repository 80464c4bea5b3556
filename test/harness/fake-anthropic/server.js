// A fake Anthropic Messages API for tests, run INSIDE a container with the
// host's node binary. It answers POST /v1/messages with scripted SSE streams
// and appends every request it sees, as one JSON line, to $RECORD_FILE.
//
// Script, judged from the conversation it receives:
// - the last message carries a tool_result      -> text "Done: ran the command."
// - the last user text contains "RUN: <command>" -> a Bash tool_use running <command>
// - otherwise                                    -> text "Hello from the fake server."
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const recordFile = process.env.RECORD_FILE ?? '/record/requests.jsonl';
let counter = 0;

function userTexts(message) {
  if (typeof message.content === 'string') return [message.content];
  return message.content.filter((b) => b.type === 'text').map((b) => b.text);
}

function plan(body) {
  // Claude Code may append a role "system" message after the user's turn.
  const last = (body.messages ?? []).findLast((m) => m.role === 'user');
  if (last && Array.isArray(last.content) && last.content.some((b) => b.type === 'tool_result')) {
    return { kind: 'text', text: 'Done: ran the command.' };
  }
  const text = last ? userTexts(last).join('\n') : '';
  const run = /RUN: (.+)/.exec(text);
  if (run) return { kind: 'tool', command: run[1].trim() };
  return { kind: 'text', text: 'Hello from the fake server.' };
}

function sse(res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${counter}` });
  for (const event of events) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  res.end();
}

function answer(res, body) {
  counter += 1;
  const id = `msg_fake_${counter}`;
  const step = plan(body);
  const usage = { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const start = { type: 'message_start', message: { id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage } };
  const events = [start];
  if (step.kind === 'text') {
    events.push(
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: step.text } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
    );
  } else {
    events.push(
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_fake_${counter}`, name: 'Bash', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify({ command: step.command, description: 'run the command' }) } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } },
    );
  }
  events.push({ type: 'message_stop' });
  if (body.stream) return sse(res, events);
  // Non-streaming callers get the same message as one JSON body.
  const content = step.kind === 'text'
    ? [{ type: 'text', text: step.text }]
    : [{ type: 'tool_use', id: `toolu_fake_${counter}`, name: 'Bash', input: { command: step.command } }];
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ...start.message, content, stop_reason: step.kind === 'text' ? 'end_turn' : 'tool_use' }));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    appendFileSync(recordFile, `${JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body })}\n`);
    if (req.method === 'POST' && req.url.startsWith('/v1/messages') && !req.url.startsWith('/v1/messages/') && body) return answer(res, body);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no fake for ${req.method} ${req.url}` } }));
  });
});
server.listen(port, '0.0.0.0', () => console.log(`listening ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
