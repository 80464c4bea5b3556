import t from 'tap';
import { formatProgress } from '../../../src/core/run/index.js';
import type { NetworkLogEvent } from '../../../src/sandbox/proxy/index.js';

void t.test('progress lines for stderr', (t) => {
  t.equal(formatProgress({ type: 'phase', phase: 'image', state: 'started', detail: '/r/Dockerfile' }), 'airut: preparing image (/r/Dockerfile)\n');
  t.equal(formatProgress({ type: 'phase', phase: 'proxy', state: 'finished' }), 'airut: network sandbox ready\n');
  t.equal(formatProgress({ type: 'phase', phase: 'proxy', state: 'skipped' }), undefined);
  t.equal(formatProgress({ type: 'build-output', line: 'STEP 1/2: FROM x' }), 'airut: build: STEP 1/2: FROM x\n');
  t.equal(formatProgress({ type: 'warning', message: 'careful' }), 'airut: warning: careful\n');
  t.equal(formatProgress({ type: 'stderr', line: 'API Error: 529 overloaded\n' }), '[claude] API Error: 529 overloaded\n', 'Claude\'s stderr, marked as such');
  t.equal(formatProgress({ type: 'stderr', line: '  \n' }), undefined, 'blank stderr lines are dropped');
  const net: NetworkLogEvent = { event: 'log', kind: 'BLOCKED', level: 'warn', line: 'BLOCKED GET https://x.test/ -> 403', time: '2026-11-27T00:00:00.000Z' };
  t.equal(formatProgress({ type: 'network', event: net }), undefined, 'network lines only when asked');
  t.equal(formatProgress({ type: 'network', event: net }, { networkLive: true }), '[net] BLOCKED GET https://x.test/ -> 403\n');
  t.equal(formatProgress({ type: 'download-progress', bytes: 1, total: 2 }), undefined, 'no bar when stderr is not a terminal');
  t.equal(formatProgress({ type: 'download-progress', bytes: 1048576, total: 2097152 }, { tty: true }),
    `\rairut: downloading Claude Code [${'█'.repeat(12)}${'░'.repeat(12)}] 1.0 MB / 2.1 MB 50%`);
  t.end();
});
