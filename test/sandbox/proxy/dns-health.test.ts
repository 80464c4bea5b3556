import t from 'tap';
import { healthQueryName, probeDns, startHealthReports } from '../../../src/sandbox/proxy/dns-health.js';
import { startDnsResponder } from '../../../src/sandbox/proxy/dns-responder.js';
import { NetworkLog } from '../../../src/sandbox/proxy/network-log.js';
import type { HealthEvent, NetworkLogEvent } from '../../../src/sandbox/network/proxy-events.js';

// The proxy's self-check, against the real responder on a real UDP socket:
// answered while it serves, a clear problem once it stops, and its own
// queries never reach the network log while the task's do.

void t.test('the health probe is answered by a serving responder, unlogged, and fails clearly once it stops', async (t) => {
  const lines: NetworkLogEvent[] = [];
  const log = new NetworkLog(undefined, { onEvent: (event) => { lines.push(event); } });
  const name = healthQueryName();
  t.match(name, /^[0-9a-f]{16}\.health\.airut\.invalid$/, 'a random name per proxy process');
  t.not(healthQueryName(), name);
  const responder = await startDnsResponder({ address: '127.0.0.1', port: 0, answer: '10.199.9.2', ttl: 60, log, quietName: name });
  let open = true;
  t.teardown(async () => { if (open) await responder.close(); });

  const target = { address: '127.0.0.1', port: responder.port, timeoutMs: 300 };
  t.equal(await probeDns({ ...target, name }), undefined, 'answered');
  t.same(lines, [], 'the health query left no log line');
  t.equal(await probeDns({ ...target, name: 'example.com' }), undefined);
  t.match(lines.map((l) => l.line), ['DNS A example.com -> 10.199.9.2'], 'any other name is logged as before');
  t.equal(await probeDns({ ...target, name: name.toUpperCase() }), undefined);
  t.equal(lines.length, 1, 'the name is compared without case');

  const reports: HealthEvent[] = [];
  let reported: () => void = () => undefined;
  const reports$ = startHealthReports({ address: '127.0.0.1', port: responder.port, name }, 100, (event) => { reports.push(event); reported(); });
  t.teardown(() => reports$.stop());
  const next = (): Promise<HealthEvent> => new Promise((resolve) => { reported = () => resolve(reports.at(-1) as HealthEvent); });
  t.same(await next(), { event: 'health', dns: 'ok' });

  await responder.close();
  open = false;
  t.match(await probeDns({ ...target, name }), /^no answer from 127\.0\.0\.1:\d+\/udp within 300 ms$/);
  for (;;) {
    const report = await next();
    if (report.dns !== 'ok') {
      t.match(report.dns, /^no answer from 127\.0\.0\.1:\d+\/udp within 100 ms$/, 'the report says what failed');
      break;
    }
  }
  reports$.stop();
  const count = reports.length;
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(reports.length, count, 'no report after stop');
});
