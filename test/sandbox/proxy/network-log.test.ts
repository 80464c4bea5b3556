import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkLog } from '../../../src/sandbox/proxy/network-log.js';
import type { NetworkLogEvent } from '../../../src/sandbox/proxy/index.js';

const now = (): Date => new Date('2026-03-04T05:06:07.890Z');

void t.test('line formats and annotation order; the file is appended, never truncated', (t) => {
  const path = join(t.testdir({ 'network-sandbox.log': 'earlier task\n' }), 'network-sandbox.log');
  const log = new NetworkLog(path, { now });
  log.taskStart();
  log.access(true, 'POST', 'https://api.anthropic.com/v1/messages?beta=true', 200, { masked: 1, dropped: 2 });
  log.access(true, 'GET', 'https://a.test/', undefined);
  log.access(true, 'PUT', 'https://a.test/up', 201, { masked: 1, bytesUp: 123, bytesDown: 4567, credentials: ['GH_TOKEN'] });
  log.access(true, 'GET', 'https://a.test/empty', 204, { bytesUp: 0, bytesDown: 0 });
  log.access(false, 'CONNECT', 'a.test:443', 405, { note: 'tunnelling not allowed' });
  log.error('GET', 'https://a.test/x', 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443');
  log.stripped('X-Api-Key', 'GET', 'https://a.test/');
  log.collapsed(3, 'authorization', 'GET', 'https://a.test/');
  log.dns('AAAA', 'evil.test', 'NOTIMP');
  log.close();
  log.dns('A', 'after-close.test', '10.0.0.1');
  t.equal(readFileSync(path, 'utf8'), 'earlier task\n'
    + '=== TASK START 2026-03-04T05:06:07Z ===\n'
    + 'ALLOWED POST https://api.anthropic.com/v1/messages?beta=true -> 200 [masked: 1] [dropped: 2]\n'
    + 'ALLOWED GET https://a.test/ -> ?\n'
    + 'ALLOWED PUT https://a.test/up -> 201 [masked: 1] [up: 123] [down: 4567]\n'
    + 'ALLOWED GET https://a.test/empty -> 204\n'
    + 'BLOCKED CONNECT a.test:443 -> 405 (tunnelling not allowed)\n'
    + 'ERROR GET https://a.test/x -> ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443\n'
    + "STRIPPED header 'x-api-key' from GET https://a.test/ (foreign credential blocked)\n"
    + "COLLAPSED 3 duplicate 'authorization' headers in GET https://a.test/ (duplicate credential headers removed)\n"
    + 'DNS AAAA evil.test -> NOTIMP\n');
  t.end();
});

void t.test('access lines carry their record; credential names appear in the event only', (t) => {
  const events: NetworkLogEvent[] = [];
  const log = new NetworkLog(undefined, { now, onEvent: (e) => events.push(e) });
  log.access(true, 'PUT', 'https://a.test/up?x=1', 201, { masked: 1, bytesUp: 123, bytesDown: 4567, credentials: ['GH_TOKEN'] });
  log.access(false, 'CONNECT', 'a.test:443', 405, { note: 'tunnelling not allowed' });
  t.same(events.map((e) => e.access), [
    { allowed: true, method: 'PUT', scheme: 'https', host: 'a.test', path: '/up?x=1', status: 201, bytes_up: 123, bytes_down: 4567, credentials: ['GH_TOKEN'] },
    { allowed: false, method: 'CONNECT', scheme: '', host: 'a.test:443', path: '', status: 405, bytes_up: 0, bytes_down: 0, credentials: [] },
  ]);
  t.notMatch(events[0]?.line ?? '', /GH_TOKEN/);
  t.end();
});

void t.test('a failing disk does not stop the proxy: lines still reach the event stream', (t) => {
  const events: NetworkLogEvent[] = [];
  const log = new NetworkLog('/dev/full', { now, onEvent: (e) => events.push(e) });
  t.teardown(() => log.close());
  log.taskStart();
  log.access(false, 'GET', 'https://b.test/', 403);
  t.same(events.map((e) => [e.kind, e.level, e.line]), [
    ['ERROR', 'warn', 'ERROR LOG network-sandbox.log -> ENOSPC: no space left on device, write'],
    ['TASK_START', 'info', '=== TASK START 2026-03-04T05:06:07Z ==='],
    ['BLOCKED', 'warn', 'BLOCKED GET https://b.test/ -> 403'],
  ]);
  t.end();
});
