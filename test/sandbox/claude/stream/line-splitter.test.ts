import { Readable } from 'node:stream';
import t from 'tap';
import { StreamJsonSplitter, splitLines } from '../../../../src/sandbox/claude/stream/index.js';

function feed(chunks: (Buffer | string)[]): string[] {
  const splitter = new StreamJsonSplitter();
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  return [...lines, ...splitter.flush()];
}

void t.test('lines come out as they complete, without terminators', (t) => {
  const splitter = new StreamJsonSplitter();
  t.same(splitter.push('{"a":1}\n{"b"'), ['{"a":1}']);
  t.same(splitter.push(':2}'), []);
  t.same(splitter.push('\n\n{"c":3}\n'), ['{"b":2}', '', '{"c":3}']);
  t.same(splitter.flush(), []);
  t.end();
});

void t.test('CRLF counts as one terminator, also when CR and LF arrive in different reads', (t) => {
  t.same(feed(['one\r\ntwo\r', '\nthree\r\n']), ['one', 'two', 'three']);
  t.same(feed(['bare\rcr\n']), ['bare\rcr'], 'a CR inside a line is content');
  t.end();
});

void t.test('the last line without a newline is returned by flush', (t) => {
  const splitter = new StreamJsonSplitter();
  t.same(splitter.push(Buffer.from('{"a":1}\n{"tail":')), ['{"a":1}']);
  t.same(splitter.push(Buffer.from('true}')), []);
  t.same(splitter.flush(), ['{"tail":true}']);
  t.same(feed([]), [], 'an empty stream has no lines');
  t.same(feed(['x\n']), ['x'], 'a final newline does not add an empty line');
  t.end();
});

void t.test('a multi-byte character split at every byte offset decodes intact', (t) => {
  // 2-, 3- and 4-byte characters (and a 4-byte one next to another).
  for (const text of ['é', '€', '𝄞', '日本語', '🦀🦀']) {
    const line = `{"text":"a${text}b"}`;
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      t.same(feed([bytes.subarray(0, cut), bytes.subarray(cut)]), [line], `${text} cut at byte ${cut}`);
    }
    const oneByteAtATime = [...bytes].map((b) => Buffer.from([b]));
    t.same(feed(oneByteAtATime), [line], `${text} fed one byte per read`);
  }
  t.end();
});

void t.test('invalid UTF-8 becomes U+FFFD instead of failing', (t) => {
  t.same(feed([Buffer.from([0x61, 0xff, 0x62, 0x0a])]), ['a\uFFFDb']);
  t.same(feed([Buffer.from([0x61, 0xe2, 0x82])]), ['a\uFFFD'], 'a character cut off by EOF');
  t.end();
});

void t.test('a 10 MB single line arrives whole, from 64 KiB reads', (t) => {
  const payload = 'x'.repeat(10 * 1024 * 1024 - 40) + 'ü';
  const line = JSON.stringify({ type: 'assistant', big: payload });
  const bytes = Buffer.from(`${line}\n{"type":"result"}\n`, 'utf8');
  const splitter = new StreamJsonSplitter();
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) {
    lines.push(...splitter.push(bytes.subarray(at, at + 64 * 1024)));
  }
  lines.push(...splitter.flush());
  t.equal(lines.length, 2);
  t.ok(lines[0] === line, 'the long line is intact');
  t.ok(Buffer.byteLength(lines[0] ?? '') > 10_000_000);
  t.equal(lines[1], '{"type":"result"}');
  t.end();
});

void t.test('splitLines reads a stream and yields the unterminated tail', async (t) => {
  const source = Readable.from([Buffer.from('a\nb'), Buffer.from([0xc3]), Buffer.from([0xa9, 0x0a]), Buffer.from('tail')]);
  const lines: string[] = [];
  for await (const line of splitLines(source)) lines.push(line);
  t.same(lines, ['a', 'bé', 'tail']);
});
