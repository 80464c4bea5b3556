import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testRuntime } from '../../harness/podman.js';
import { leftovers, runInTask, startRealTopology } from './network-fixture.js';

// The real proxy program in the real topology: a task container reaches an
// allowed upstream over verified TLS with no proxy settings, a blocked one
// gets the proxy's 403, and masked secrets reach only their scoped host.

const runtime = testRuntime();
const TOKEN = `ghp_${'A1b2C3d4E5'.repeat(3)}xyz123`;

void t.test('allowed, blocked and masked requests from a task container', async (t) => {
  const topo = await startRealTopology(t, runtime, {
    allowlist: { domains: ['allowed.test', 'other.test'], url_prefixes: [] },
    hosts: ['allowed.test', 'blocked.test', 'other.test'],
    maskedSecrets: [{ name: 'GH_TOKEN', value: TOKEN, scopes: ['allowed.test'], headers: ['Authorization'] }],
  });
  const { attachment, upstream } = topo;
  const surrogate = attachment.env.GH_TOKEN ?? '';
  t.equal(surrogate.length, TOKEN.length, 'surrogate has the real length');
  t.ok(surrogate.startsWith('ghp_') && surrogate !== TOKEN, 'surrogate keeps the prefix, not the value');

  const result = await runInTask(runtime, attachment, [
    'curl -sS --max-time 30 https://allowed.test/x?q=1',
    'curl -sS --max-time 30 -o /tmp/blocked -w "%{http_code}" https://blocked.test/secret/path',
    'cat /tmp/blocked',
    'curl -sS --max-time 30 -H "Authorization: Bearer $GH_TOKEN" https://allowed.test/auth',
    'curl -sS --max-time 30 -H "Authorization: Bearer $GH_TOKEN" https://other.test/auth',
  ].join('; echo; echo @@@; '));
  t.equal(result.exitCode, 0, result.stderr);
  const [allowed, blockedStatus, blockedBody, scoped, unscoped] = result.stdout.split('\n@@@\n').map((part) => part.trim());
  t.match(JSON.parse(allowed ?? '{}'), { upstream: 'fake', scheme: 'https', method: 'GET', url: '/x?q=1', servername: 'allowed.test' }, 'TLS verified end to end, no -k');
  t.equal(blockedStatus, '403');
  t.match(JSON.parse(blockedBody ?? '{}'), { host: 'blocked.test', method: 'GET', message: /network-allowlist\.yaml/ });
  t.notOk(upstream.requests.some((r) => r.url.startsWith('/secret')), 'nothing of a blocked request reached the upstream');

  const auth = (line: string | undefined) => {
    const headers = (JSON.parse(line ?? '{}') as { headers?: string[] }).headers ?? [];
    return headers.filter((_, i) => i % 2 === 1 && /^authorization$/i.test(headers[i - 1] ?? ''));
  };
  t.same(auth(scoped), [`Bearer ${TOKEN}`], 'the scoped host gets the real value');
  t.same(auth(unscoped), [`Bearer ${surrogate}`], 'another host gets only the surrogate');

  const log = await readFile(join(topo.contextDir, 'network-sandbox.log'), 'utf8');
  t.match(log, /^=== TASK START .* ===$/m);
  t.equal(log.split('\n').filter((l) => /^(ALLOWED|BLOCKED) /.test(l)).length, 4, 'one line per request');
  t.match(log, /^BLOCKED GET https:\/\/blocked\.test\/secret\/path -> 403/m);
  t.notMatch(log, TOKEN, 'the real value is never logged');
  t.ok(topo.events.some((e) => e.event === 'log' && e.kind === 'BLOCKED'), 'live tail carries the log lines');

  await attachment.release();
  t.same(await leftovers(runtime, topo.prefix), [], 'proxy and task network removed');
});

void t.test('from a warm pool: the prepared proxy gets this task\'s allowlist and secrets, and a fresh one is prepared after', async (t) => {
  const topo = await startRealTopology(t, runtime, {
    allowlist: { domains: ['allowed.test'], url_prefixes: [] },
    hosts: ['allowed.test', 'blocked.test'],
    maskedSecrets: [{ name: 'GH_TOKEN', value: TOKEN, scopes: ['allowed.test'], headers: ['Authorization'] }],
    warmPool: 1,
  });
  const { attachment, upstream, sandbox } = topo;
  t.match(attachment.containerArgs.join(' '), new RegExp(`--network ${topo.prefix}-net-w[0-9a-f]{8} `), 'a pooled network');
  const result = await runInTask(runtime, attachment, [
    'curl -sS --max-time 30 -H "Authorization: Bearer $GH_TOKEN" https://allowed.test/auth',
    'curl -sS --max-time 30 -o /dev/null -w "%{http_code}" https://blocked.test/x',
  ].join('; echo; echo @@@; '));
  t.equal(result.exitCode, 0, result.stderr);
  const [scoped, blocked] = result.stdout.split('\n@@@\n').map((part) => part.trim());
  const headers = (JSON.parse(scoped ?? '{}') as { headers?: string[] }).headers ?? [];
  t.ok(headers.includes(`Bearer ${TOKEN}`), 'the real value was swapped in');
  t.equal(blocked, '403');
  t.notOk(upstream.requests.some((r) => r.url === '/x'), 'the blocked request never reached the upstream');

  await attachment.release();
  const log = await readFile(join(topo.contextDir, 'network-sandbox.log'), 'utf8');
  t.equal(log.split('\n').filter((l) => /^(ALLOWED|BLOCKED) /.test(l)).length, 2, 'the log is complete when release returns');
  t.notMatch(log, TOKEN);
  await sandbox.settled();
  const left = await leftovers(runtime, topo.prefix);
  t.equal(left.length, 2, 'one fresh network and proxy prepared for the next task');
  t.notOk(left.some((name) => attachment.containerArgs.includes(name)), 'not the one this task used');
  await sandbox.close();
  t.same(await leftovers(runtime, topo.prefix), [], 'close removes it');
});
