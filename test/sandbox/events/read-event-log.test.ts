import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { readFromOffset, readReplies } from '../../../src/sandbox/events/index.js';

async function tempLog(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airut-event-log-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'events.jsonl');
}

const A = '{"type":"system","subtype":"init","session_id":"s"}';
const B = '{"type":"assistant","message":{"content":[{"type":"text","text":"日本"}]}}';
const C = '{"type":"result","result":"done"}';

void t.test('readReplies: a missing file is an empty log', async (t) => {
  t.same(await readReplies(join(await tempLog(t), 'missing.jsonl')), []);
});

void t.test('readReplies groups by blank lines, skips bad lines and drops empty groups', async (t) => {
  const path = await tempLog(t);
  await writeFile(path, `\n${A}\nnot json\n${B}\n\n\n${C}\n\nnot json either\n\n  \n${A}\r\n{"type":"assis`);
  const replies = await readReplies(path);
  t.same(replies.map((r) => r.map((e) => e.raw)), [[A, B], [C], [A]]);
});

void t.test('readReplies on a directory is a typed read error', async (t) => {
  const path = await tempLog(t);
  await t.rejects(readReplies(join(path, '..')), { code: 'EVENT_LOG_READ_FAILED', message: /Cannot read the event log .*EISDIR/ });
});

void t.test('readFromOffset: missing file, whole file, byte offsets, end of file', async (t) => {
  const path = await tempLog(t);
  t.same(await readFromOffset(path, 0), { events: [], nextOffset: 0 });
  t.same(await readFromOffset(path, 99), { events: [], nextOffset: 0 }, 'a missing file starts over at 0');

  await writeFile(path, `${A}\n${B}\n\n${C}\n`);
  const all = await readFromOffset(path, 0);
  t.same(all.events.map((e) => e.raw), [A, B, C], 'separators are skipped');
  t.equal(all.nextOffset, Buffer.byteLength(`${A}\n${B}\n\n${C}\n`), 'offsets count bytes, not characters');

  const fromB = await readFromOffset(path, Buffer.byteLength(`${A}\n`));
  t.same(fromB.events.map((e) => e.raw), [B, C]);
  t.same(await readFromOffset(path, all.nextOffset), { events: [], nextOffset: all.nextOffset });
  t.same(await readFromOffset(path, all.nextOffset + 10), { events: [], nextOffset: all.nextOffset + 10 });
});

void t.test('readFromOffset leaves a partial last line for the next read', async (t) => {
  const path = await tempLog(t);
  const bBytes = Buffer.from(`${B}\n`);
  // Cut B inside its first multi-byte character.
  const cut = bBytes.indexOf(Buffer.from('日')) + 1;
  await writeFile(path, Buffer.concat([Buffer.from(`${A}\n`), bBytes.subarray(0, cut)]));

  const first = await readFromOffset(path, 0);
  t.same(first.events.map((e) => e.raw), [A]);
  t.equal(first.nextOffset, Buffer.byteLength(`${A}\n`), 'the partial line is not consumed');
  t.same(await readFromOffset(path, first.nextOffset), { events: [], nextOffset: first.nextOffset }, 'still incomplete');

  await appendFile(path, bBytes.subarray(cut));
  const second = await readFromOffset(path, first.nextOffset);
  t.same(second.events.map((e) => e.raw), [B], 'completed line arrives whole, characters intact');
  t.equal(second.nextOffset, Buffer.byteLength(`${A}\n${B}\n`));
});

void t.test('readFromOffset rejects offsets that are not byte positions', async (t) => {
  const path = await tempLog(t);
  for (const offset of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    await t.rejects(readFromOffset(path, offset), { code: 'EVENT_LOG_BAD_OFFSET', path }, String(offset));
  }
});

// A writer in another process that tears every line into several write()
// calls, so the reader keeps meeting half-written lines.
const TEARING_WRITER = `
const fs = require('node:fs');
const [path, count] = process.argv.slice(1);
const fd = fs.openSync(path, 'a');
let seed = 7;
const next = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
for (let i = 0; i < Number(count); i++) {
  if (i > 0 && i % 50 === 0) fs.writeSync(fd, '\\n');
  const line = JSON.stringify({ type: 'assistant', n: i, text: 'ü€𝄞'.repeat(next(400)) }) + '\\n';
  const bytes = Buffer.from(line);
  let at = 0;
  while (at < bytes.length) {
    const size = Math.min(bytes.length - at, 1 + next(300));
    fs.writeSync(fd, bytes, at, size);
    at += size;
  }
}
fs.closeSync(fd);
`;

void t.test('a reader polling while another process writes torn lines gets each event once, whole, in order', async (t) => {
  const path = await tempLog(t);
  const count = 2000;
  const writer = spawn(process.execPath, ['-e', TEARING_WRITER, path, String(count)], { stdio: ['ignore', 'ignore', 'inherit'] });
  t.teardown(() => {
    if (writer.exitCode === null) writer.kill('SIGKILL');
  });
  let exited = false;
  const exit = once(writer, 'exit').then(([code]) => {
    exited = true;
    return code as number | null;
  });

  const seen: number[] = [];
  let offset = 0;
  let reads = 0;
  for (;;) {
    const done = exited;
    const chunk = await readFromOffset(path, offset);
    reads++;
    for (const event of chunk.events) seen.push(event.type === 'unknown' ? -1 : Number(event.data.n));
    offset = chunk.nextOffset;
    if (done) break;
  }
  t.equal(await exit, 0, 'the writer finished');
  t.same(seen, Array.from({ length: count }, (_, i) => i), 'every event, once, in order, none torn');
  t.ok(reads > 1, `read ${reads} times while the file grew`);
  t.same((await readReplies(path)).map((r) => r.length), Array<number>(count / 50).fill(50), "the writer's blank lines split replies of 50");
});
