import t from 'tap';
import { collectReceipt, ReceiptCollector, type ApprovalInEffect } from '../../../src/core/receipt/index.js';
import type { RunEvent } from '../../../src/core/pipeline/index.js';
import { buildExecutionResult, parseStreamJsonLine, type ExecutionResult } from '../../../src/sandbox/claude/stream/index.js';

// The receipt tallies the proxy's access and usage records of a run: hosts in
// order of first request, distinct blocked requests in order of first
// occurrence (path without query), credentials by name, usage and cost
// cross-checked with Claude Code's result.

function access(allowed: boolean, method: string, host: string, path: string, fields: { up?: number; down?: number; credentials?: string[] } = {}): RunEvent {
  const line = `${allowed ? 'ALLOWED' : 'BLOCKED'} ${method} https://${host}${path}`;
  return {
    type: 'network',
    event: {
      event: 'log', kind: allowed ? 'ALLOWED' : 'BLOCKED', level: allowed ? 'info' : 'warn', line, time: '2026-12-06T02:00:00.000Z',
      access: { allowed, method, scheme: 'https', host, path, status: allowed ? 200 : 403, bytes_up: fields.up ?? 0, bytes_down: fields.down ?? 0, credentials: fields.credentials ?? [] },
    },
  };
}

function usage(input: number, output: number, cost: number | null, cache: { write?: number; read?: number } = {}): RunEvent {
  return {
    type: 'network',
    event: {
      event: 'log', kind: 'USAGE', level: 'info', line: `USAGE ${input} in ${output} out`, time: '2026-12-06T02:00:00.000Z',
      usage: { model: 'claude-sonnet-4-5', input_tokens: input, output_tokens: output, cache_creation_input_tokens: cache.write ?? 0, cache_read_input_tokens: cache.read ?? 0, cost_usd: cost, method: 'POST', url: 'https://api.anthropic.com/v1/messages' },
    },
  };
}

function claudeResult(result: Record<string, unknown> | undefined): ExecutionResult {
  const events = [{ type: 'system', subtype: 'init', session_id: 's' }, ...(result === undefined ? [] : [{ type: 'result', subtype: 'success', is_error: false, result: 'ok', session_id: 's', duration_ms: 5, num_turns: 1, ...result }])];
  return buildExecutionResult({ exitCode: 0, timedOut: false, events: events.flatMap((e) => parseStreamJsonLine(JSON.stringify(e)) ?? []), stderr: '', wallClockMs: 10 });
}

const noFacts = { result: undefined, approvals: [], durationMs: 1234 };

void t.test('hosts in order of first request, with counts and bytes; blocked entries distinct by method, host and path without query', (t) => {
  const receipt = collectReceipt([
    { type: 'phase', phase: 'task', state: 'started' },
    access(true, 'POST', 'api.anthropic.com', '/v1/messages?beta=true', { up: 1200, down: 3400, credentials: ['ANTHROPIC_API_KEY'] }),
    access(false, 'GET', 'pkgs.test', '/simple/x?page=1'),
    access(true, 'GET', 'github.com', '/org/repo.git/info/refs?service=git-upload-pack', { down: 500, credentials: ['github-app'] }),
    access(false, 'GET', 'pkgs.test', '/simple/x?page=2'),
    access(false, 'POST', 'pkgs.test', '/simple/x'),
    access(true, 'POST', 'api.anthropic.com', '/v1/messages', { up: 800, down: 600, credentials: ['ANTHROPIC_API_KEY'] }),
    access(false, 'GET', 'evil.test', '/'),
    { type: 'network', event: { event: 'log', kind: 'DNS', level: 'info', line: 'DNS A evil.test', time: '2026-12-06T02:00:00.000Z' } },
    { type: 'stderr', line: 'noise' },
  ], noFacts);
  t.same(receipt.hosts, [
    { host: 'api.anthropic.com', allowed: 2, blocked: 0, bytesUp: 2000, bytesDown: 4000 },
    { host: 'pkgs.test', allowed: 0, blocked: 3, bytesUp: 0, bytesDown: 0 },
    { host: 'github.com', allowed: 1, blocked: 0, bytesUp: 0, bytesDown: 500 },
    { host: 'evil.test', allowed: 0, blocked: 1, bytesUp: 0, bytesDown: 0 },
  ]);
  t.same(receipt.blocked, [
    { method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', count: 2 },
    { method: 'POST', host: 'pkgs.test', pathPrefix: '/simple/x', count: 1 },
    { method: 'GET', host: 'evil.test', pathPrefix: '/', count: 1 },
  ]);
  t.same(receipt.credentials, ['ANTHROPIC_API_KEY', 'github-app'], 'names once each, in order of first use');
  t.same(receipt.approvals, []);
  t.equal(receipt.durationMs, 1234);
  t.same(receipt.usage, { calls: 0, inputTokens: 0, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0, costUsd: 0, claudeCostUsd: null }, 'no result: nothing to cross-check');
  t.end();
});

void t.test('a run without network events has an empty receipt; approvals are passed through', (t) => {
  const approvals: ApprovalInEffect[] = [{ method: 'GET', host: 'pkgs.test', pathPrefix: '/simple/x', approvedBy: 'ada@example.com', expiresAt: '2026-12-07T02:00:00.000Z' }];
  const receipt = collectReceipt([], { result: undefined, approvals, durationMs: 10.6 });
  t.same(receipt.hosts, []);
  t.same(receipt.blocked, []);
  t.same(receipt.approvals, approvals);
  t.not(receipt.approvals[0], approvals[0], 'copied, not shared');
  t.equal(receipt.durationMs, 11, 'whole milliseconds');
  t.end();
});

void t.test('usage records add up and agree with Claude Code: no mismatch', (t) => {
  const events = [usage(100, 20, 0.001, { write: 50 }), usage(300, 40, 0.0025, { read: 50 })];
  const result = claudeResult({ total_cost_usd: 0.0035, usage: { input_tokens: 400, output_tokens: 60, cache_creation_input_tokens: 50, cache_read_input_tokens: 50 } });
  const receipt = collectReceipt(events, { result, approvals: [], durationMs: 5 });
  t.same(receipt.usage, { calls: 2, inputTokens: 400, outputTokens: 60, cacheWriteTokens: 50, cacheReadTokens: 50, costUsd: 0.0035, claudeCostUsd: 0.0035 });
  t.end();
});

void t.test('Claude Code reporting other figures gives a mismatch naming each one', (t) => {
  const events = [usage(100, 20, 0.01)];
  const result = claudeResult({ total_cost_usd: 0.02, usage: { input_tokens: 150, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });
  const receipt = collectReceipt(events, { result, approvals: [], durationMs: 5 });
  t.equal(receipt.usage.mismatch, 'input tokens: proxy 100, Claude Code 150; cost: proxy $0.0100, Claude Code $0.0200');
  t.equal(receipt.usage.claudeCostUsd, 0.02);
  t.end();
});

void t.test('costs within rounding agree; modelUsage (every model) is preferred over usage', (t) => {
  const events = [usage(100, 20, 0.0101), usage(10, 5, 0.0002)];
  const result = claudeResult({
    total_cost_usd: 0.0130,
    usage: { input_tokens: 100, output_tokens: 20 },
    modelUsage: {
      'claude-sonnet-4-5': { inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.0101 },
      'claude-haiku-4-5': { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, costUSD: 0.0002 },
    },
  });
  const receipt = collectReceipt(events, { result, approvals: [], durationMs: 5 });
  t.equal(receipt.usage.mismatch, undefined, '$0.0103 and $0.0130 are within half a cent; tokens of both models match');
  t.equal(receipt.usage.costUsd, 0.0103);
  t.end();
});

void t.test('an unpriced model makes the cost unknown and leaves the cost out of the check', (t) => {
  const result = claudeResult({ total_cost_usd: 9, usage: { input_tokens: 110, output_tokens: 25 } });
  const receipt = collectReceipt([usage(100, 20, 0.01), usage(10, 5, null)], { result, approvals: [], durationMs: 5 });
  t.equal(receipt.usage.costUsd, null);
  t.equal(receipt.usage.mismatch, undefined);
  t.end();
});

void t.test('the proxy counting nothing while Claude Code reports usage is a mismatch; both zero is not', (t) => {
  const claude = claudeResult({ total_cost_usd: 0.5, usage: { input_tokens: 1000, output_tokens: 200 } });
  const reported = collectReceipt([access(true, 'POST', 'api.anthropic.com', '/v1/messages')], { result: claude, approvals: [], durationMs: 5 });
  t.equal(reported.usage.mismatch, 'the proxy counted no Messages API responses, while Claude Code reported 1,000 input and 200 output tokens, $0.5000');
  const unsandboxed = collectReceipt([], { result: claude, approvals: [], durationMs: 5 });
  t.equal(unsandboxed.usage.mismatch, undefined, 'a proxy that reported nothing at all (no network sandbox) is not compared');
  t.equal(unsandboxed.usage.claudeCostUsd, 0.5, "Claude Code's cost is still shown");
  const quiet = collectReceipt([], { result: claudeResult({ total_cost_usd: 0 }), approvals: [], durationMs: 5 });
  t.equal(quiet.usage.mismatch, undefined);
  t.equal(quiet.usage.claudeCostUsd, 0);
  const none = collectReceipt([], { result: claudeResult(undefined), approvals: [], durationMs: 5 });
  t.equal(none.usage.claudeCostUsd, null, 'no result event: Claude Code reported nothing');
  t.end();
});

void t.test('the collector tallies as events stream and can be asked more than once', (t) => {
  const collector = new ReceiptCollector();
  collector.observe(access(false, 'GET', 'pkgs.test', '/a'));
  const first = collector.receipt(noFacts);
  collector.observe(access(false, 'GET', 'pkgs.test', '/a#frag'));
  const second = collector.receipt(noFacts);
  t.equal(first.blocked[0]?.count, 1, 'an earlier receipt is not changed by later events');
  t.equal(second.blocked[0]?.count, 2);
  t.equal(second.blocked.length, 1, 'a fragment is not part of the path prefix');
  t.end();
});

void t.test('without a duration the collector measures one with its clock, from when it was made', (t) => {
  let now = 1000;
  const collector = new ReceiptCollector({ clock: () => now });
  now = 3500;
  t.equal(collector.receipt({ result: undefined, approvals: [] }).durationMs, 2500);
  t.equal(collector.receipt({ result: undefined, approvals: [], durationMs: 7 }).durationMs, 7, 'a given duration wins');
  t.end();
});
