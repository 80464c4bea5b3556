import t, { type Test } from 'tap';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { send, startTestProxy, type TestProxy } from './proxy-harness.js';
import type { ProxyBudgetCap } from '../../../src/sandbox/network/proxy-config-file.js';
import { TaskBudget } from '../../../src/sandbox/proxy/budget.js';
import { loadProxyTask } from '../../../src/sandbox/proxy/proxy-config.js';

// Budgets through the real proxy (in-process) and a fake api.anthropic.com on
// 127.0.0.1 whose answers carry `usage`: what the proxy counts, when it
// refuses, what the refusal says and what it logs.

const CERTS = fileURLToPath(new URL('../../harness/fake-upstream/certs/', import.meta.url));
/** $10 per million input tokens, nothing else: 1,000 input tokens cost exactly $0.01. */
const PRICES = { 'claude-test': { input: 10, output: 0, cache_write: 0, cache_read: 0 } };
const CENT = JSON.stringify({ id: 'msg', type: 'message', model: 'claude-test-1', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 1000, output_tokens: 7 } });

interface Fake {
  tp: TestProxy;
  /** Requests the upstream received, `METHOD path`. */
  seen: string[];
}

async function setup(t: Test, budgets: ProxyBudgetCap[], downBytes = 0): Promise<Fake> {
  const seen: string[] = [];
  const server: Server = createServer({ key: readFileSync(join(CERTS, 'server-key.pem')), cert: readFileSync(join(CERTS, 'server-cert.pem')) }, (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/v1/messages') === true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(CENT);
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(downBytes, 120));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  const tp = await startTestProxy(t, {
    allowlist: { domains: ['api.anthropic.com'], url_prefixes: [] },
    httpsPort: (server.address() as AddressInfo).port,
    extra: { upstream_ca_file: join(CERTS, 'ca-cert.pem'), upstream_hosts: { 'api.anthropic.com': '127.0.0.1' } },
    prices: PRICES,
    budgets,
  });
  return { tp, seen };
}

const post = (tp: TestProxy) => send(tp, { host: 'api.anthropic.com', method: 'POST', path: '/v1/messages?beta=true', headers: { 'content-type': 'application/json' }, body: '{"model":"claude-test-1","max_tokens":1,"messages":[]}' });
const get = (tp: TestProxy) => send(tp, { host: 'api.anthropic.com', path: '/v1/files/f1' });

/** N Messages API calls one after the other, each awaited with its USAGE line (so its cost is counted before the next). */
async function calls(tp: TestProxy, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = tp.events.filter((e) => e.kind === 'USAGE').length;
    const res = await post(tp);
    statuses.push(res.status);
    if (res.status === 200) await tp.nextEvent(() => tp.events.filter((e) => e.kind === 'USAGE').length > before);
  }
  return statuses;
}

void t.test('a per-run cost cap of $0.03 at $0.01 a call: calls 1 to 3 go through, the 4th is refused with a permission_error naming the budget', async (t) => {
  const { tp, seen } = await setup(t, [{ name: 'budgets.cost_usd.run', unit: 'usd', limit: 0.03, spent_before: 0 }]);
  t.strictSame(await calls(tp, 3), [200, 200, 200]);
  const refused = await post(tp);
  t.equal(refused.status, 403);
  t.equal(refused.headers['content-type'], 'application/json');
  const body = JSON.parse(refused.body) as { type: string; error: { type: string; message: string } };
  t.equal(body.type, 'error');
  t.equal(body.error.type, 'permission_error');
  t.match(body.error.message, /budgets\.cost_usd\.run/);
  t.match(body.error.message, /\$0\.0300 spent of its limit \$0\.0300/);
  t.equal(seen.filter((s) => s.startsWith('POST')).length, 3, 'the refused call never reached the upstream');

  const line = await tp.nextEvent((e) => e.kind === 'BUDGET');
  t.equal(line.line, 'BUDGET POST https://api.anthropic.com/v1/messages?beta=true -> refused (budgets.cost_usd.run: spent $0.0300 of $0.0300)');
  t.equal(line.level, 'warn');
  t.match(line.budget, { name: 'budgets.cost_usd.run', unit: 'usd', limit: 0.03, method: 'POST', url: 'https://api.anthropic.com/v1/messages?beta=true' });
  t.ok(Math.abs((line.budget?.spent ?? 0) - 0.03) < 1e-9);
  await tp.nextEvent((e) => e.kind === 'ALLOWED' && e.access?.status === 403);
  t.match(tp.logText(), /^ALLOWED POST https:\/\/api\.anthropic\.com\/v1\/messages\?beta=true -> 403 \(budget budgets\.cost_usd\.run reached\)$/m, 'not a BLOCKED entry: nothing to approve');

  // A cost cap stops the model, not other traffic.
  t.equal((await get(tp)).status, 200, 'other requests still go through');
});

void t.test('an egress cap refuses every request once the bytes moved reach it', async (t) => {
  const { tp, seen } = await setup(t, [{ name: 'budgets.egress_bytes', unit: 'bytes', limit: 1000, spent_before: 0 }], 600);
  t.equal((await get(tp)).status, 200);
  t.equal((await get(tp)).status, 200, '600 bytes moved: under the cap, so the second request goes');
  await tp.nextEvent(() => tp.events.filter((e) => e.kind === 'ALLOWED').length === 2);
  const refused = await get(tp);
  t.equal(refused.status, 403);
  const body = JSON.parse(refused.body) as Record<string, string>;
  t.equal(body.error, 'budget_exceeded');
  t.equal(body.budget, 'budgets.egress_bytes');
  t.match(body.message, /1200 bytes spent of its limit 1000 bytes/);
  const call = await post(tp);
  t.equal(call.status, 403);
  t.equal((JSON.parse(call.body) as { error: { type: string } }).error.type, 'permission_error', 'a Messages API call gets the API error shape');
  t.equal(seen.length, 2);
  t.equal(tp.events.filter((e) => e.kind === 'BUDGET').length, 2, 'one BUDGET line per refusal');
});

void t.test('caps combine: the one reached first refuses, and it is the one named', async (t) => {
  // Earlier runs of the conversation spent $0.08 of $0.10: two more cents reach it before the run cap does.
  const { tp } = await setup(t, [
    { name: 'budgets.cost_usd.run', unit: 'usd', limit: 0.05, spent_before: 0 },
    { name: 'budgets.cost_usd.conversation', unit: 'usd', limit: 0.1, spent_before: 0.08 },
    { name: 'budgets.cost_usd.day', unit: 'usd', limit: 5, spent_before: 1 },
  ]);
  t.strictSame(await calls(tp, 3), [200, 200, 403]);
  const line = await tp.nextEvent((e) => e.kind === 'BUDGET');
  t.equal(line.budget?.name, 'budgets.cost_usd.conversation');
  t.ok(Math.abs((line.budget?.spent ?? 0) - 0.1) < 1e-9, 'spent counts the earlier runs');
});

void t.test('of several reached caps the one furthest past its limit is named', (t) => {
  const budget = new TaskBudget([
    { name: 'budgets.cost_usd.run', unit: 'usd', limit: 0.02, spent_before: 0 },
    { name: 'budgets.cost_usd.day', unit: 'usd', limit: 0.1, spent_before: 0.09 },
    { name: 'budgets.egress_bytes', unit: 'bytes', limit: 100, spent_before: 0 },
  ]);
  t.equal(budget.refusal(true), undefined);
  budget.addCost(0.01);
  t.equal(budget.refusal(true)?.name, 'budgets.cost_usd.day', 'day reached at $0.10');
  budget.addCost(0.01);
  t.match(budget.refusal(true), { name: 'budgets.cost_usd.day', unit: 'usd', limit: 0.1 }, 'day is $0.01 past, run just reached');
  t.equal(budget.refusal(false), undefined, 'cost caps leave other requests alone');
  budget.addBytes(100);
  t.match(budget.refusal(false), { name: 'budgets.egress_bytes', unit: 'bytes', limit: 100, spent: 100 });
  t.equal(new TaskBudget([]).active, false);
  t.end();
});

void t.test('the task file carries the caps; a bad cap fails the start, naming it', async (t) => {
  const dir = t.testdir();
  const good = join(dir, 'good.json');
  const caps = [{ name: 'budgets.cost_usd.run', unit: 'usd', limit: 2, spent_before: 0 }];
  await writeFile(good, JSON.stringify({ allowlist: { domains: [], url_prefixes: [] }, secrets_file: null, budgets: caps }));
  t.strictSame(loadProxyTask(good).budgets, caps);
  for (const [budgets, problem] of [
    [{}, /budgets must be a list/],
    [[{ name: 'x', unit: 'eur', limit: 1, spent_before: 0 }], /budgets\[0\]\.unit must be "usd" or "bytes", got "eur"/],
    [[{ name: 'x', unit: 'usd', limit: -1, spent_before: 0 }], /budgets\[0\]\.limit must be a number >= 0, got -1/],
    [[{ name: 'x', unit: 'usd', limit: 1, spent_before: 0, extra: 1 }], /budgets\[0\]\.extra is not a known key/],
  ] as const) {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ allowlist: { domains: [], url_prefixes: [] }, secrets_file: null, budgets }));
    t.throws(() => loadProxyTask(path), { code: 'PROXY_CONFIG_INVALID', message: problem });
  }
});

void t.test('a model without a price counts at the dearest price against a cost cap', async (t) => {
  const seen: string[] = [];
  const server: Server = createServer({ key: readFileSync(join(CERTS, 'server-key.pem')), cert: readFileSync(join(CERTS, 'server-cert.pem')) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ model: 'claude-future-9', usage: { input_tokens: 1000, output_tokens: 0 } }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }));
  const tp = await startTestProxy(t, {
    allowlist: { domains: ['api.anthropic.com'], url_prefixes: [] },
    httpsPort: (server.address() as AddressInfo).port,
    extra: { upstream_ca_file: join(CERTS, 'ca-cert.pem'), upstream_hosts: { 'api.anthropic.com': '127.0.0.1' } },
    // The shipped table's dearest input price is $15 per million (opus): 1,000 tokens count $0.015.
    budgets: [{ name: 'budgets.cost_usd.run', unit: 'usd', limit: 0.02, spent_before: 0 }],
  });
  t.strictSame(await calls(tp, 3), [200, 200, 403]);
  const usage = tp.events.find((e) => e.kind === 'USAGE');
  t.equal(usage?.usage?.cost_usd, null, 'the USAGE line still says the cost is unknown');
  t.match((await tp.nextEvent((e) => e.kind === 'BUDGET')).line, /spent \$0\.0300 of \$0\.0200/);
});
