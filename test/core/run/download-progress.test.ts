import t from 'tap';
import { createDownloadGate, createProgressFormatter, type RunEvent } from '../../../src/core/run/index.js';

// A download the size of Claude Code's (183 MB) in the 7,525 chunks one was
// seen to arrive in, one every 2 ms: 15 s in all.
const TOTAL = 183_000_000;
const CHUNKS = 7525;

/** Feeds the events one by one, advancing the clock 2 ms before each, and keeps what was printed. */
function render(format: (event: RunEvent) => string | undefined, clock: { now: number }, total: number | undefined, chunks = CHUNKS, size = TOTAL): string[] {
  const out: string[] = [];
  for (let i = 1; i <= chunks; i++) {
    clock.now += 2;
    const text = format({ type: 'download-progress', bytes: Math.round((size * i) / chunks), total });
    if (text !== undefined) out.push(text);
  }
  return out;
}

void t.test('on a terminal the bar is redrawn at most 10 times a second, and shows the end', (t) => {
  const clock = { now: 1_000_000 };
  const draws = render(createProgressFormatter({ tty: true, clock: () => clock.now }), clock, TOTAL);
  // 15 s at 10 a second, plus the first and the last draw.
  t.ok(draws.length <= 152, `${draws.length} draws`);
  t.ok(draws.length >= 140, `${draws.length} draws: still a live bar`);
  t.ok(draws.every((draw) => draw.startsWith('\rairut: downloading Claude Code [') && !draw.includes('\n')), 'in place, no newline');
  t.match(draws.at(-1), /\[█{24}\] 183\.0 MB \/ 183\.0 MB 100%, 12\.2 MB\/s/);
  t.end();
});

void t.test('without a terminal there is one line per tenth, with the size and the speed', (t) => {
  const clock = { now: 1_000_000 };
  const lines = render(createProgressFormatter({ tty: false, clock: () => clock.now }), clock, TOTAL);
  t.equal(lines.length, 10, lines.join(''));
  t.same(lines.map((line) => / (\d+)%, /.exec(line)?.[1]), ['10', '20', '30', '40', '50', '60', '70', '80', '90', '100']);
  t.match(lines[0], /^airut: downloading Claude Code \[█{2}░{22}\] 18\.3 MB \/ 183\.0 MB 10%, 12\.2 MB\/s\n$/);
  t.match(lines[9], /^airut: downloading Claude Code \[█{24}\] 183\.0 MB \/ 183\.0 MB 100%, 12\.2 MB\/s\n$/);
  t.end();
});

void t.test('without a terminal and without a size there is a line every 10 MB', (t) => {
  const clock = { now: 0 };
  const lines = render(createProgressFormatter({ clock: () => clock.now }), clock, undefined, 500, 45_000_000);
  // The first chunk past each 10 MB mark (chunks here are 90 kB).
  t.same(lines.map((line) => Math.floor(Number(/Code ([\d.]+) MB downloaded/.exec(line)?.[1]) / 10)), [1, 2, 3, 4]);
  t.end();
});

void t.test('a download that starts over is counted from zero again', (t) => {
  let now = 0;
  const gate = createDownloadGate({ mode: 'steps', clock: () => now });
  const shown: number[] = [];
  for (const bytes of [10, 50, 100, 20, 60, 100, 100]) {
    now += 1000;
    const report = gate(bytes, 100);
    if (report !== undefined) shown.push(report.bytes);
  }
  t.same(shown, [10, 50, 100, 20, 60, 100], 'each tenth once per attempt, the end once');
  t.end();
});

void t.test('the other progress events pass through unchanged', (t) => {
  const format = createProgressFormatter({ tty: false });
  t.equal(format({ type: 'phase', phase: 'claude-binary', state: 'started' }), 'airut: preparing Claude Code\n');
  t.equal(format({ type: 'warning', message: 'careful' }), 'airut: warning: careful\n');
  t.end();
});
