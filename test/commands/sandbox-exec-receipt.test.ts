import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FAKE_UPSTREAM_CA, startFakeUpstream } from '../harness/fake-upstream/fake-upstream.js';
import { testRuntime } from '../harness/podman.js';
import { parseReceipt, type Receipt } from '../../src/core/receipt/index.js';
import { execFixture, internalEgressNetwork, leftoversOf } from '../core/run/exec-fixture.js';

// The receipt's counts match the network log line for line: a prompt run of
// `airut sandbox exec --json` through the real proxy on podman, whose stand-in
// for Claude Code makes allowed and blocked requests with bodies; the test
// reads network-sandbox.log on its own and compares hosts, counts, bytes and
// the distinct blocked requests with the receipt in the JSON output.

const runtime = testRuntime();
const egress = await internalEgressNetwork(t, runtime);

const UP_ALLOWED = 5000;
const UP_OTHER = 1234;
const UP_BLOCKED = 300;

/** Stands in for Claude Code in the container: reads the prompt, makes the requests, prints stream-json. */
const FAKE_CLAUDE = `#!/bin/sh
set -u
cat >/dev/null
sid=33333333-2222-3333-4444-555555555555
printf '{"type":"system","subtype":"init","session_id":"%s","model":"fake"}\\n' "$sid"
body() { head -c "$1" /dev/zero | tr '\\0' 'a'; }
req() { curl -s -o /dev/null -w '%{http_code} ' "$@" >&2; }
req https://allowed.test/a?x=1
body ${UP_ALLOWED} | req -X POST --data-binary @- https://allowed.test/upload?token=1
req https://other.test/b
req https://blocked.test/simple/x?page=1
req https://blocked.test/simple/x?page=2
body ${UP_BLOCKED} | req -X POST --data-binary @- https://blocked.test/upload
body ${UP_OTHER} | req -X PUT --data-binary @- https://other.test/c
req https://blocked.test/simple/x
req -X POST -H "x-api-key: $ANTHROPIC_API_KEY" -H 'content-type: application/json' --data '{"model":"m","max_tokens":1,"messages":[]}' https://api.anthropic.com/v1/messages
printf '{"type":"result","subtype":"success","is_error":false,"result":"Done.","duration_ms":10,"num_turns":1,"total_cost_usd":0,"session_id":"%s","usage":{"input_tokens":0,"output_tokens":0}}\\n' "$sid"
`;

interface LogTally {
  hosts: Map<string, { allowed: number; blocked: number; bytesUp: number; bytesDown: number }>;
  blocked: { method: string; host: string; pathPrefix: string; count: number }[];
  accessLines: number;
  usageLines: number;
}

/** Reads network-sandbox.log without the product's code: `ALLOWED|BLOCKED METHOD URL -> STATUS ... [up: N] [down: N]`. */
function tallyLog(text: string): LogTally {
  const tally: LogTally = { hosts: new Map(), blocked: [], accessLines: 0, usageLines: 0 };
  for (const line of text.split('\n')) {
    if (line.startsWith('USAGE ')) tally.usageLines++;
    const match = /^(ALLOWED|BLOCKED) (\S+) (\S+)/.exec(line);
    if (match === null) continue;
    tally.accessLines++;
    const [, verdict, method = '', target = ''] = match;
    const url = new URL(target);
    const host = url.hostname;
    const entry = tally.hosts.get(host) ?? { allowed: 0, blocked: 0, bytesUp: 0, bytesDown: 0 };
    tally.hosts.set(host, entry);
    if (verdict === 'ALLOWED') entry.allowed++;
    else entry.blocked++;
    entry.bytesUp += Number(/ \[up: (\d+)\]/.exec(line)?.[1] ?? 0);
    entry.bytesDown += Number(/ \[down: (\d+)\]/.exec(line)?.[1] ?? 0);
    if (verdict === 'BLOCKED') {
      const found = tally.blocked.find((b) => b.method === method && b.host === host && b.pathPrefix === url.pathname);
      if (found === undefined) tally.blocked.push({ method, host, pathPrefix: url.pathname, count: 1 });
      else found.count++;
    }
  }
  return tally;
}

void t.test('sandbox exec --json: the receipt agrees with network-sandbox.log host by host, byte for byte', async (t) => {
  const fx = await execFixture(t, {
    files: {
      '.airut/network-allowlist.yaml': [
        'domains:', '  - allowed.test', '  - other.test',
        'url_prefixes:', '  - host: api.anthropic.com', '    path: /v1/messages*', '    methods: [POST]', '',
      ].join('\n'),
    },
  });
  const upstream = await startFakeUpstream(t, runtime, egress, `airut-t-receipt-up-${process.pid}`);
  const claude = join(fx.env.HOME ?? '', 'fake-claude-receipt');
  await writeFile(claude, FAKE_CLAUDE);
  await chmod(claude, 0o755);
  const log = join(fx.env.HOME ?? '', 'net.log');
  const hosts = ['allowed.test', 'blocked.test', 'other.test', 'api.anthropic.com'].flatMap((h) => ['--upstream-host', `${h}=${upstream.ip}`]);
  const result = await fx.run([
    'sandbox', 'exec', '--egress-network', egress, ...hosts, '--upstream-ca', FAKE_UPSTREAM_CA,
    '--network-log', log, '--claude-binary', claude, '--json', 'Make the requests',
  ], { env: { ANTHROPIC_API_KEY: 'sk-ant-receipt-test' } });
  t.equal(result.exitCode, 0, result.stderr);
  t.match(result.stderr, /200 200 200 403 403 403 200 403 200/, 'the requests were answered as the allowlist says');

  const output = JSON.parse(result.stdout) as { outcome: string; receipt: unknown };
  t.equal(output.outcome, 'success');
  const receipt = parseReceipt(output.receipt) as Receipt;
  t.ok(receipt, 'the output carries a well-formed receipt');

  const text = await readFile(log, 'utf8');
  const fromLog = tallyLog(text);
  t.comment(`receipt hosts: ${JSON.stringify(receipt.hosts)}`);
  t.comment(`log tally: ${JSON.stringify([...fromLog.hosts])}; ${fromLog.accessLines} access lines, ${fromLog.usageLines} USAGE lines`);
  t.equal(fromLog.accessLines, 9, 'one access line per request');
  t.same(receipt.hosts, [...fromLog.hosts].map(([host, counts]) => ({ host, ...counts })), 'hosts in order of first request, counts and bytes as the log says');
  t.same(receipt.blocked, fromLog.blocked, 'distinct blocked requests in first-occurrence order');
  t.equal(receipt.usage.calls, fromLog.usageLines, 'one counted Messages API response per USAGE line');

  // And the figures themselves, so a log and receipt that agree on nothing still fail.
  t.same(receipt.blocked, [
    { method: 'GET', host: 'blocked.test', pathPrefix: '/simple/x', count: 3 },
    { method: 'POST', host: 'blocked.test', pathPrefix: '/upload', count: 1 },
  ]);
  const byHost = new Map(receipt.hosts.map((h) => [h.host, h]));
  t.same(receipt.hosts.map((h) => h.host), ['allowed.test', 'other.test', 'blocked.test', 'api.anthropic.com']);
  t.match(byHost.get('allowed.test'), { allowed: 2, blocked: 0, bytesUp: UP_ALLOWED });
  t.match(byHost.get('other.test'), { allowed: 2, blocked: 0, bytesUp: UP_OTHER });
  t.match(byHost.get('blocked.test'), { allowed: 0, blocked: 4, bytesUp: 0, bytesDown: 0 }, 'nothing blocked went upstream');
  const echoed = upstream.requests.filter((r) => r.url !== '/v1/messages').map((r) => r.body.length).reduce((a, b) => a + b, 0);
  t.equal(echoed, UP_ALLOWED + UP_OTHER, 'the upstream received exactly the bytes the receipt says went up');
  t.ok((byHost.get('allowed.test')?.bytesDown ?? 0) > UP_ALLOWED, 'the echo of the upload came back down');
  t.same(receipt.credentials, ['ANTHROPIC_API_KEY'], 'the masked API key was filled in, by name');
  t.notMatch(result.stdout, /sk-ant-receipt-test/, 'never its value');
  t.same(await leftoversOf(runtime, result.pid), []);
});

void t.test('sandbox exec without --json ends stderr with the receipt paragraph', async (t) => {
  const fx = await execFixture(t);
  const claude = join(fx.env.HOME ?? '', 'fake-claude-quiet');
  await writeFile(claude, '#!/bin/sh\ncat >/dev/null\nprintf \'{"type":"system","subtype":"init","session_id":"s1"}\\n{"type":"result","subtype":"success","is_error":false,"result":"Quiet.","duration_ms":5,"num_turns":1,"total_cost_usd":0,"session_id":"s1"}\\n\'\n');
  await chmod(claude, 0o755);
  const result = await fx.run(['sandbox', 'exec', '--egress-network', egress, '--claude-binary', claude, 'Nothing'], { env: { ANTHROPIC_API_KEY: 'sk-ant-test' } });
  t.equal(result.exitCode, 0, result.stderr);
  t.equal(result.stdout, 'Quiet.');
  t.match(result.stderr, /^airut: Receipt: [\d.]+s\. no network requests\. 0 in \/ 0 out tokens \(0 calls\), \$0\.0000\.$/m);
});
