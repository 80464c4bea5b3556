import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { buildExecutionResult, parseStreamJsonLine, StreamJsonSplitter, type ClaudeEvent } from '../../../src/sandbox/claude/stream/index.js';
import { EventLog, readFromOffset, readReplies } from '../../../src/sandbox/events/index.js';

async function tempLog(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-event-log-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'events.jsonl');
}

const INIT = '{"type":"system","subtype":"init","session_id":"s1"}';
const TEXT = '{"type":"assistant","message":{"content":[{"type":"text","text":"héllo"}]},"session_id":"s1"}';
const RESULT = '{"type":"result","subtype":"success","result":"héllo","session_id":"s1","num_turns":1}';
const INIT2 = '{"type":"system","subtype":"init","session_id":"s2"}';
const RESULT2 = '{"type":"result","subtype":"success","result":"again","session_id":"s2"}';

void t.test('two replies make exactly this file, across two EventLog instances', async (t) => {
  const path = await tempLog(t);
  const first = new EventLog(path);
  t.teardown(() => first.close());
  first.startReply();
  t.notOk(existsSync(path), 'starting a reply on a missing log does not create it');
  first.appendRaw(INIT);
  first.appendRaw(`${TEXT}\r`);
  const result = parseStreamJsonLine(RESULT);
  t.ok(result, 'RESULT parses');
  if (result) first.append(result);
  await first.close();
  t.equal(await readFile(path, 'utf8'), `${INIT}\n${TEXT}\n${RESULT}\n`);

  const second = new EventLog(path);
  t.teardown(() => second.close());
  second.startReply();
  second.appendRaw(INIT2);
  second.appendRaw(RESULT2);
  second.startReply();
  second.appendRaw(INIT);
  await second.close();
  t.equal(await readFile(path, 'utf8'), `${INIT}\n${TEXT}\n${RESULT}\n\n${INIT2}\n${RESULT2}\n\n${INIT}\n`);

  const replies = await readReplies(path);
  t.same(replies.map((reply) => reply.map((e) => e.raw)), [[INIT, TEXT, RESULT], [INIT2, RESULT2], [INIT]]);
  t.equal(replies[1]?.[1]?.type, 'result');
});

void t.test('startReply on an existing empty file writes nothing', async (t) => {
  const path = await tempLog(t);
  await writeFile(path, '');
  const log = new EventLog(path);
  t.teardown(() => log.close());
  log.startReply();
  log.appendRaw(INIT);
  await log.close();
  t.equal(await readFile(path, 'utf8'), `${INIT}\n`);
});

void t.test('a line left unterminated by a crashed writer is ended before new writes', async (t) => {
  const path = await tempLog(t);
  await writeFile(path, `${INIT}\n{"type":"assis`);
  const log = new EventLog(path);
  t.teardown(() => log.close());
  log.startReply();
  log.appendRaw(RESULT2);
  await log.close();
  t.equal(await readFile(path, 'utf8'), `${INIT}\n{"type":"assis\n\n${RESULT2}\n`);
  t.same((await readReplies(path)).map((r) => r.map((e) => e.raw)), [[INIT], [RESULT2]], 'the torn line is skipped');

  await writeFile(path, `${INIT}\n{"type":"assis`);
  const direct = new EventLog(path);
  t.teardown(() => direct.close());
  direct.appendRaw(RESULT2);
  await direct.close();
  t.equal(await readFile(path, 'utf8'), `${INIT}\n{"type":"assis\n${RESULT2}\n`, 'also without startReply');
});

void t.test('lines that would break the layout are refused', async (t) => {
  const path = await tempLog(t);
  const log = new EventLog(path);
  t.teardown(() => log.close());
  t.throws(() => log.appendRaw(''), { code: 'EVENT_LOG_INVALID_LINE', path });
  t.throws(() => log.appendRaw(' \r\n'), { code: 'EVENT_LOG_INVALID_LINE' });
  t.throws(() => log.appendRaw('{"a":1}\n{"b":2}'), { code: 'EVENT_LOG_INVALID_LINE', message: /newline at character 7/ });
  t.notOk(existsSync(path), 'nothing was written');
});

void t.test('a closed log refuses appends; closing twice is harmless', async (t) => {
  const path = await tempLog(t);
  const log = new EventLog(path);
  log.appendRaw(INIT);
  await log.close();
  await log.close();
  t.throws(() => log.appendRaw(RESULT), { code: 'EVENT_LOG_CLOSED' });
  t.throws(() => log.startReply(), { code: 'EVENT_LOG_CLOSED' });
  t.equal(await readFile(path, 'utf8'), `${INIT}\n`);
});

void t.test('an unwritable location is a typed error naming the path', async (t) => {
  const path = join(await tempLog(t), 'no-such-dir', 'events.jsonl');
  const log = new EventLog(path);
  t.teardown(() => log.close());
  t.throws(() => log.appendRaw(INIT), { code: 'EVENT_LOG_WRITE_FAILED', path, message: new RegExp(`Cannot open the event log ${path}: ENOENT`) });
});

void t.test('a 10 MB event is written whole and read back', async (t) => {
  const path = await tempLog(t);
  const big = JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't', content: 'ü'.repeat(5 * 1024 * 1024) }] } });
  const log = new EventLog(path);
  t.teardown(() => log.close());
  log.appendRaw(INIT);
  log.appendRaw(big);
  await log.close();
  const { events, nextOffset } = await readFromOffset(path, 0);
  t.equal(events.length, 2);
  t.ok(events[1]?.raw === big, 'the big line is intact');
  t.equal(nextOffset, Buffer.byteLength(`${INIT}\n${big}\n`));
});

void t.test('a reader following the log while it is written sees every event once, in order', async (t) => {
  const path = await tempLog(t);
  const log = new EventLog(path);
  t.teardown(() => log.close());
  const written: string[] = [];
  const writer = (async () => {
    for (let reply = 0; reply < 5; reply++) {
      log.startReply();
      for (let i = 0; i < 40; i++) {
        const raw = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: `${reply}/${i} ${'ä'.repeat(i * 50)}` }] } });
        log.appendRaw(raw);
        written.push(raw);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    await log.close();
  })();
  let finished = false;
  void writer.then(() => (finished = true));

  const seen: string[] = [];
  let offset = 0;
  for (;;) {
    const done = finished;
    const chunk = await readFromOffset(path, offset);
    seen.push(...chunk.events.map((e) => e.raw));
    offset = chunk.nextOffset;
    if (done) break;
  }
  await writer;
  t.equal(seen.length, 200);
  t.same(seen, written);
});

void t.test('the real samples, streamed in 7-byte reads, log as two replies byte for byte', async (t) => {
  const path = await tempLog(t);
  const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'claude');
  const samples = [
    await readFile(join(fixtures, 'claude-2.1.332-text-turn.jsonl')),
    await readFile(join(fixtures, 'claude-2.1.332-bash-tool-turn.jsonl')),
  ];
  const log = new EventLog(path);
  t.teardown(() => log.close());
  const runs: ClaudeEvent[][] = [];
  for (const bytes of samples) {
    log.startReply();
    const splitter = new StreamJsonSplitter();
    const events: ClaudeEvent[] = [];
    const take = (lines: string[]) => {
      for (const line of lines) {
        const event = parseStreamJsonLine(line);
        if (event === undefined) continue;
        events.push(event);
        log.append(event);
      }
    };
    for (let at = 0; at < bytes.length; at += 7) take(splitter.push(bytes.subarray(at, at + 7)));
    take(splitter.flush());
    runs.push(events);
  }
  await log.close();
  t.equal(await readFile(path, 'utf8'), `${samples[0]?.toString('utf8')}\n${samples[1]?.toString('utf8')}`);
  t.same((await readReplies(path)).map((r) => r.length), [3, 5]);
  const second = buildExecutionResult({ exitCode: 0, timedOut: false, events: runs[1] ?? [], stderr: '', wallClockMs: 1 });
  t.equal(second.sessionId, '908e00fc-a40f-4a47-a438-6e1c9954149a');
  t.equal(second.responseText, 'Done: wrote the file.');
});
